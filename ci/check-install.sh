#!/usr/bin/env bash
# Installs ax into a temporary prefix and checks the `ax` command a user gets: the JVM
# subcommands answer, `ax run` is routed away from the JVM, and stdout stays clean for scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=$(mktemp -d /tmp/ax-check.XXXXXX)
trap 'rm -rf "$PREFIX"' EXIT
ci/install.sh --prefix "$PREFIX" >/dev/null
AX="$PREFIX/bin/ax"
fail() { echo "check-install: $*" >&2; exit 1; }

out=$("$AX" --version) || fail "ax --version failed"
case "$out" in "ax "*) ;; *) fail "ax --version printed '$out'" ;; esac
# Twice: the first run writes the class-data archive; neither may print anything else.
out=$("$AX" --version) || fail "second ax --version failed"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "ax --version printed more than one line: $out"

"$AX" get --help | grep -q "vservices" || fail "ax get --help does not list vservices"
# `ax run` goes to the native launcher, which says where it looked for a daemon.
if err=$(AX_RUN_DIR="$PREFIX/none" "$AX" run -- true 2>&1); then fail "ax run succeeded without a daemon"; fi
case "$err" in "ax run: cannot reach the ax daemon at $PREFIX/none/bridge.sock"*) ;; *) fail "ax run said '$err'" ;; esac
if err=$("$AX" get vservices --admin "$PREFIX/none.sock" 2>&1); then fail "ax get without a daemon succeeded"; fi
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "ax get without a daemon printed more than one line: $err"
echo "==> the installed ax command works"
