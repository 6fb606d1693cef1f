#!/usr/bin/env bash
# The control-plane benchmark: pilot-lite, the xDS agent and the daemon as real processes.
#   - scale: pilot-lite serves SERVICES Kubernetes Services with ENDPOINTS WorkloadEntries each;
#     time until pilot-lite serves them, until the agent has translated and pushed them all
#     (the daemon's watch sees the last one), and the memory (peak RSS) of the three processes;
#   - propagation: a DestinationRule written into pilot-lite's directory, timed until the
#     daemon's vservice changes (ax get vservices --watch), with few services and with the full
#     set loaded.
# Usage: ci/bench/xds.sh [--quick] [--keep] [--json FILE]      (run as root; prints a Markdown table;
#   --keep leaves the processes' logs, --json writes the results for ci/bench/report.py)
set -euo pipefail
AX_BENCH_CWD=$PWD  # where a relative --json FILE is
export AX_BENCH_CWD
cd "$(dirname "$0")/../.."
[ -f ax-cli/target/ax.jar ] || ci/build.sh
JAVA=$(ci/find-java.sh)
export JAVA
exec python3 ci/bench/xds.py "$@"
