#!/usr/bin/env bash
# Installs ax: the jar and the native launcher (ax-run) under $PREFIX/lib/ax and the `ax`
# command in $PREFIX/bin (PREFIX defaults
# to /usr/local), plus bash completion when /etc/bash_completion.d exists and we may write it.
# Builds first when the jar is missing. Usage: ci/install.sh [--prefix DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=/usr/local
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=$2; shift 2 ;;
    *) echo "ci/install.sh: unknown argument '$1' (expected --prefix DIR)" >&2; exit 2 ;;
  esac
done
[ -f ax-cli/target/ax.jar ] && [ -x syscall-bridge/target/native/ax-run ] || ci/build.sh
JAVA=$(ci/find-java.sh)
mkdir -p "$PREFIX/lib/ax" "$PREFIX/bin"
install -m 0644 ax-cli/target/ax.jar "$PREFIX/lib/ax/ax.jar"
rm -f "$PREFIX/lib/ax/ax-cli.jsa" # made again on first use, for the new jar
install -m 0755 syscall-bridge/target/native/ax-run "$PREFIX/lib/ax/ax-run.tmp"
mv "$PREFIX/lib/ax/ax-run.tmp" "$PREFIX/lib/ax/ax-run"
sed -e "s|@AX_HOME@|$PREFIX/lib/ax|g" -e "s|@AX_JAVA@|$JAVA|g" ax-cli/src/main/dist/ax > "$PREFIX/bin/ax.tmp"
chmod 0755 "$PREFIX/bin/ax.tmp"
mv "$PREFIX/bin/ax.tmp" "$PREFIX/bin/ax"
if [ -d /etc/bash_completion.d ] && [ -w /etc/bash_completion.d ] && [ "$PREFIX" = /usr/local ]; then
  "$PREFIX/bin/ax" completion > /etc/bash_completion.d/ax
fi
echo "==> installed $PREFIX/bin/ax (jar in $PREFIX/lib/ax, Java $JAVA)"
