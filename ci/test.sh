#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests that start the packaged daemon and
# CLI as real processes, then a check of the installed `ax` command, then the bookinfo demo's
# quick mode (the whole system on this machine, its distributions asserted). Run as root (CI is
# root on Linux 6.18): kernel-facing tests need it.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
JAVA=$(ci/find-java.sh)
export JAVA_HOME=$(dirname "$(dirname "$JAVA")")
echo "==> tests with $JAVA_HOME"
./mvnw -B verify
echo "==> checking the installed ax command"
ci/check-install.sh
echo "==> the bookinfo demo, quick mode"
ci/demo.sh --quick
