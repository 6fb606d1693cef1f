#!/usr/bin/env bash
# JMH microbenchmarks of the hot paths: the connect decision, one pick per LB policy, the sockaddr
# codec and a DNS answer for a local name (see the class comments in benchmarks/src/main/java).
# Builds benchmarks/target/benchmarks.jar if it is missing, runs it and prints JMH's table.
# Usage: ci/bench/jmh.sh [--quick] [JMH options...]
#   --quick: 1 fork, 1 warmup and 1 measurement iteration of 1 s each (a smoke run, numbers rough)
#   default: the benchmarks' own annotations (2 forks, 5 warmup and 5 measurement iterations of 1 s)
# Further arguments go to JMH, e.g. a benchmark regex: ci/bench/jmh.sh --quick LbPick
# Needs no root and starts no daemon.
set -euo pipefail
cd "$(dirname "$0")/../.."
OPTS=()
if [ "${1:-}" = "--quick" ]; then
  OPTS=(-f 1 -wi 1 -w 1s -i 1 -r 1s)
  shift
fi
JAR=benchmarks/target/benchmarks.jar
[ -f "$JAR" ] || ci/build.sh
JAVA=$(ci/find-java.sh)
# JMH 1.37 reads field offsets through sun.misc.Unsafe: allowed quietly (the forks inherit the flag).
exec "$JAVA" --sun-misc-unsafe-memory-access=allow -jar "$JAR" "${OPTS[@]}" "$@"
