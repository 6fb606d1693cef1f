#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests that start the packaged daemon and
# CLI as real processes, then a check of the installed `ax` command, then the bookinfo demo's
# quick mode (the whole system on this machine, its distributions asserted), then the two-node
# cluster demo (network namespaces; it fails when the cross-node curl does), then the benchmark
# suite's quick mode (every part once with tiny sizes, to keep it working; no thresholds). Run as
# root (CI is root on Linux 6.18): kernel-facing tests need it.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh --bench
JAVA=$(ci/find-java.sh)
export JAVA_HOME=$(dirname "$(dirname "$JAVA")")
echo "==> tests with $JAVA_HOME"
./mvnw -B verify
echo "==> checking the installed ax command"
ci/check-install.sh
echo "==> the bookinfo demo, quick mode"
ci/demo.sh --quick
echo "==> the two-node cluster demo"
ci/cluster-demo.sh
echo "==> the benchmark suite: its report's tests, then quick mode"
/usr/bin/python3 -m unittest discover -s ci/bench -p 'test_*.py'
ci/bench/run.sh --quick
