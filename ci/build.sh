#!/usr/bin/env bash
# Builds ax (all modules, no tests) with the Maven wrapper, for ci/install.sh, ci/demo.sh and the
# benchmarks. Prints progress, not Maven's log, unless the build fails. Tests are skipped here
# only: the test command (ci/test.sh, which .ci/run calls) runs `./mvnw verify`, every test.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=$(ci/find-java.sh)
export JAVA_HOME=$(dirname "$(dirname "$JAVA")")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "==> building ax with $JAVA_HOME (Maven wrapper; the first build downloads Maven and dependencies)"
if ! ./mvnw -B -DskipTests install >"$log" 2>&1; then
  tail -n 60 "$log" >&2
  echo "build failed; the Maven output is above" >&2
  exit 1
fi
echo "==> built dataplane-core/target/ax.jar"
