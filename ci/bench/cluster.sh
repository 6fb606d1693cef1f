#!/usr/bin/env bash
# The cluster benchmark: N daemons, each in its own network namespace on one bridge, forming one
# cluster (3, 10 and 30 nodes; --quick: 3 nodes, 5 services). Measures the time from a server's
# listen() on one node until a client on every other node can connect, the time from a node's
# death (SIGKILL, and a cut link) until its entries are gone from every other node, each
# daemon's idle CPU and RSS, and the bytes on the wire per service change.
# Usage: ci/bench/cluster.sh [--quick] [--nodes N[,N...]] [--json FILE]   (run as root)
set -euo pipefail
AX_BENCH_CWD=$PWD  # where a relative --json FILE is
export AX_BENCH_CWD
cd "$(dirname "$0")/../.."
[ -f ax-cli/target/ax.jar ] || ci/build.sh
JAVA=$(ci/find-java.sh)
export JAVA
exec python3 ci/bench/cluster.py "$@"
