#!/usr/bin/env bash
# Builds ax (all modules, no tests) with the Maven wrapper, for ci/install.sh, ci/demo.sh and the
# benchmarks. Prints one line per module as Maven reaches it, not Maven's log, unless the build
# fails. Tests are skipped here only: the test command (ci/test.sh, which .ci/run calls) runs
# `./mvnw verify`, every test. `package`, not `install`: every module finds the others inside the
# reactor, and the shared ~/.m2 keeps no snapshot of ours.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=$(ci/find-java.sh)
export JAVA_HOME=$(dirname "$(dirname "$JAVA")")
log=$(mktemp /tmp/ax-build.XXXXXX.log)
echo "==> building ax with $JAVA_HOME (Maven wrapper; the first build downloads Maven and dependencies)"
start=$SECONDS
# Maven announces each module as "[INFO] Building NAME VERSION [i/n]": show those lines as
# progress, and once per module that it is downloading (a first build fetches about 120 MB).
set +e
./mvnw -B -DskipTests package 2>&1 | tee "$log" | awk '
  /^\[INFO\] Building .*\[[0-9]+\/[0-9]+\]$/ {
    match($0, /\[[0-9]+\/[0-9]+\]$/); step = substr($0, RSTART, RLENGTH)
    name = $0; sub(/^\[INFO\] Building /, "", name); sub(/ [0-9][^ ]* *\[[0-9]+\/[0-9]+\]$/, "", name)
    print "    " step " " name; fflush(); downloading = 0
  }
  /Downloading from / && !downloading { print "          downloading dependencies (first build only)"; fflush(); downloading = 1 }'
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  tail -n 60 "$log" >&2
  echo "build failed; the last 60 lines of Maven's output are above, all of it is in $log" >&2
  exit 1
fi
rm -f "$log"
echo "==> built ax-cli/target/ax.jar in $((SECONDS - start)) s"
