#!/usr/bin/env bash
# What the metrics cost a connect: two daemons side by side, one with /metrics off
# (--metrics-port 0: the bridge feeds only the decision log) and one with it on (the default:
# call and connect counters, histograms, and Istio's TCP metrics, which read each connected
# socket's cookie and follow it through sock_diag). Each has the same server app (connbench
# server under ax run) behind the same kind of vservice; each round runs connbench's sequential
# connects under ax run against both, the order alternating round by round so that machine noise
# hits both alike. Also reads each daemon's CPU over its connects, per 1,000. Reports medians and
# the on/off ratio; with --json the results contract of ci/bench/run.sh (suite "metrics").
# Usage: ci/bench/metrics.sh [--quick] [--json FILE]     (run as root; Markdown table on stdout)
#   default: 7 rounds of 5,000 connects; --quick: 1 round of 300 (a smoke run for CI)
set -euo pipefail
ORIG=$PWD  # where a relative --json FILE is
cd "$(dirname "$0")/../.."
ROUNDS=7; CONNS=5000; WARMUP=5000; SETTLE=1.5; MODE=full; JSON=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ROUNDS=1; CONNS=300; WARMUP=300; SETTLE=0; MODE=quick ;;
    --json) [ $# -ge 2 ] || { echo "metrics.sh: --json needs a file" >&2; exit 2; }; JSON=$(cd "$ORIG" && realpath -m "$2"); shift ;;
    *) echo "metrics.sh: unknown argument '$1' (usage: ci/bench/metrics.sh [--quick] [--json FILE])" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "metrics.sh: run as root (ax run needs it)" >&2; exit 1; }
[ -f ax-cli/target/ax.jar ] && [ -x syscall-bridge/target/native/ax-run ] || ci/build.sh >&2
JAVA=$(ci/find-java.sh)
AXRUN="$PWD/syscall-bridge/target/native/ax-run"
BASE=$(mktemp -d /tmp/ax-metrics-bench.XXXXXX)
gcc -O2 -Wall -Wextra -Werror -o "$BASE/connbench" ci/bench/connbench.c
CLK_TCK=$(getconf CLK_TCK)
SERVER_PORT=9000
# Server apps of both daemons bind node-ip:pool-port: disjoint pools, so the two never race for one.
OFF_PORTS=52000-52999; ON_PORTS=53000-53999
OFF_PID=""; ON_PID=""
SERVERS=()

cleanup() {
  trap - INT TERM
  set +e
  # Apps first, then the daemons; never a bare `wait` (it would wait for a daemon not yet killed).
  if [ ${#SERVERS[@]} -gt 0 ]; then kill "${SERVERS[@]}" 2>/dev/null; wait "${SERVERS[@]}" 2>/dev/null; fi
  local daemons=()
  for p in "$OFF_PID" "$ON_PID" "${DAEMON:-}"; do [ -n "$p" ] && daemons+=("$p"); done
  if [ ${#daemons[@]} -gt 0 ]; then kill "${daemons[@]}" 2>/dev/null; wait "${daemons[@]}" 2>/dev/null; fi
  if [ -n "${AX_METRICS_BENCH_KEEP:-}" ]; then echo "metrics.sh: logs kept in $BASE" >&2; else rm -rf "$BASE"; fi
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=ci/bench/lib.sh
. ci/bench/lib.sh
fail() { echo "metrics.sh: $*" >&2; exit 1; }
calc() { awk "BEGIN {printf \"%.6g\\n\", $1}"; }
rest() { curl -sf "http://127.0.0.1:$1/appswitch/v1/$2"; }
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; } # user+sys, proc(5)
start() { # $1 name, $2 port pool, then daemon flags; sets ${NAME}_PID, _REST, _RUN
  local name=$1 pool=$2; shift 2
  WORK="$BASE/$name"; mkdir -p "$WORK"; REST_PORT=$(free_port)
  start_daemon --dns=false --ports "$pool" --node-name "bench-$name" "$@"
  printf -v "${name^^}_PID" %s "$DAEMON"; printf -v "${name^^}_REST" %s "$REST_PORT"; printf -v "${name^^}_RUN" %s "$WORK/run"
}
await_server() { # $1 rest port, $2 server IP
  for _ in $(seq 1 150); do
    rest "$1" servers | grep -q "\"ip\":\"$2\",\"port\":$SERVER_PORT" && return 0
    sleep 0.1
  done
  fail "the server app did not listen on $2:$SERVER_PORT (daemon logs in $BASE)"
}

echo "==> $MODE: starting two daemons, metrics off and on" >&2
start off "$OFF_PORTS" --metrics-port 0
ON_METRICS=$(free_port)
start on "$ON_PORTS" --metrics-port "$ON_METRICS"
declare -A RUN_DIR=([off]=$OFF_RUN [on]=$ON_RUN) PID=([off]=$OFF_PID [on]=$ON_PID) REST=([off]=$OFF_REST [on]=$ON_REST)
declare -A SERVER_IP=([off]=10.77.0.1 [on]=10.77.0.2) VIP=([off]=10.97.0.1 [on]=10.97.0.2)
for s in off on; do
  AX_RUN_DIR=${RUN_DIR[$s]} "$AXRUN" --ip "${SERVER_IP[$s]}" --name bench-server --labels app=bench-server,version=v1,zone=default \
    -- "$BASE/connbench" server "$SERVER_PORT" >>"$BASE/server-$s.log" 2>&1 & SERVERS+=($!)
  await_server "${REST[$s]}" "${SERVER_IP[$s]}"
  # Through a vservice, so that the metrics' labels name one (the path a mesh's clients take).
  curl -sf -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $(cat "${RUN_DIR[$s]}/rest.token")" \
    -d "{\"name\":\"bench-target\",\"ip\":\"${VIP[$s]}\",\"type\":\"RoundRobin\",\"backendips\":[\"${SERVER_IP[$s]}\"],\"ports\":[{\"extport\":80,\"appport\":$SERVER_PORT}]}" \
    "http://127.0.0.1:${REST[$s]}/appswitch/v1/oper/createvirtualservice" >/dev/null || fail "creating the vservice of $s failed"
done

connects() { # $1 label, $2 connects, [$3 round to record]
  local out before after
  sleep "$SETTLE"
  before=$(cpu_ticks "${PID[$1]}")
  out=$(AX_RUN_DIR=${RUN_DIR[$1]} "$AXRUN" --name bench-client --labels app=bench-client,zone=default -- \
    "$BASE/connbench" client "${VIP[$1]}" 80 "$2" 2>&1) || fail "connbench against $1 failed: $out"
  # The daemon's deferred work (the exited app, GC of the run's garbage) is part of the cost.
  sleep "$SETTLE"
  after=$(cpu_ticks "${PID[$1]}")
  [ -n "${3:-}" ] || return 0
  [ "$(sed -n 's/.*conns=\([0-9]*\).*/\1/p' <<<"$out")" = "$2" ] || fail "connbench against $1 made fewer than $2 connections: $out"
  for f in p50_us p99_us cps; do
    echo "connect_$f $1 $(sed -n "s/.* $f=\([0-9.]*\).*/\1/p" <<<"$out")" >>"$BASE/samples.txt"
  done
  echo "daemon_cpu_ms_per_1k $1 $(calc "($after - $before) * 1000 / $CLK_TCK * 1000 / $2")" >>"$BASE/samples.txt"
}

# The daemons' JIT compiles their connect paths in the first thousands of connects.
echo "==> warm-up: $WARMUP connects on each daemon" >&2
connects off "$WARMUP"; connects on "$WARMUP"
for r in $(seq 1 "$ROUNDS"); do
  echo "==> round $r/$ROUNDS: $CONNS connects on each daemon" >&2
  if [ $((r % 2)) = 1 ]; then connects off "$CONNS" "$r"; connects on "$CONNS" "$r"
  else connects on "$CONNS" "$r"; connects off "$CONNS" "$r"; fi
done
# The metrics daemon really counted: its Istio series hold the connects (a cross-check, not a measure).
SCRAPE=$(curl -sf "http://127.0.0.1:$ON_METRICS/metrics") || fail "the metrics daemon's /metrics did not answer"
OPENED=$(grep '^istio_tcp_connections_opened_total{' <<<"$SCRAPE" | grep 'destination_service="bench-target"' | awk '{s += $2} END {print s + 0}')
WANT=$((WARMUP + ROUNDS * CONNS))
awk "BEGIN {exit !($OPENED >= $WANT)}" || fail "the metrics daemon counted $OPENED Istio connections, not $WANT"

python3 - "$BASE/spec.json" <<PY
import json, statistics, sys
spec = {
  "suite": "metrics",
  "title": "What the metrics cost a connect",
  "description": ("Two daemons side by side (--dns=false, own run directory, REST port and port pool): off runs with "
    "--metrics-port 0, on with the metrics served (the default): per-call and per-connect counters and histograms, and "
    "Istio's TCP metrics, for which the bridge reads each connected socket's cookie (SO_COOKIE) and the daemon follows it "
    "through sock_diag. Each daemon has the same server (connbench server under ax run) behind a RoundRobin vservice; each "
    "round runs $CONNS sequential connects of connbench under ax run to the vservice, on both daemons, which alternate "
    "going first. The daemon CPU is user+sys over the connects and the pause after them."),
  "config": {"mode": "$MODE", "rounds": $ROUNDS, "connects_per_round": $CONNS, "warmup_connects": $WARMUP, "settle_s": $SETTLE},
  "baseline": "off",
  "labels": ["off", "on"],
  "measures": [
    {"id": "connect_p50_us", "name": "connect() latency p50", "unit": "µs", "better": "lower"},
    {"id": "connect_p99_us", "name": "connect() latency p99", "unit": "µs", "better": "lower"},
    {"id": "connect_cps", "name": "sequential connections per second", "unit": "conn/s", "better": "higher"},
    {"id": "daemon_cpu_ms_per_1k", "name": "daemon CPU per 1,000 connects", "unit": "ms", "better": "lower"},
  ],
  "notes": ["The on daemon counted $OPENED connections in istio_tcp_connections_opened_total (warm-up included)."],
}
rows = [l.split() for l in open("$BASE/samples.txt")]
def per_round(measure, label):
    return [float(v) for m, l, v in rows if m == measure and l == label]
for m in ("connect_p50_us", "connect_p99_us"):
    added = statistics.median(a - b for a, b in zip(per_round(m, "on"), per_round(m, "off")))
    spec["notes"].append(f"{m}: on - off, median of the per-round differences: {added:+.1f} µs.")
json.dump(spec, open(sys.argv[1], "w"))
PY
python3 ci/bench/samples.py "$BASE/spec.json" "$BASE/samples.txt" ${JSON:+--json "$JSON"}
