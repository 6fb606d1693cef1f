#!/usr/bin/env bash
# The syscall bridge benchmark: the same client and server natively and under `ax run`, in one
# run, interleaved round by round so that machine noise hits both alike. Reports medians and
# ax/native ratios:
#   - connection setup: connections per second and connect() latency (p50, p99) of connbench,
#     sequential connects, natively to NODE-IP:PORT and under ax to a virtual IP;
#   - the same under ax with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP turned off, to measure it;
#   - bulk throughput: iperf3, natively and under ax.
# Usage: ci/bench/bridge.sh [--quick]     (run as root; prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=5; CONNS=5000; IPERF_SECONDS=5
if [ "${1:-}" = "--quick" ]; then ROUNDS=1; CONNS=500; IPERF_SECONDS=1; fi

[ -f dataplane-core/target/ax.jar ] && [ -x syscall-bridge/target/native/ax-run ] || ci/build.sh
WORK=$(mktemp -d /tmp/ax-bench.XXXXXX)
JAVA=$(ci/find-java.sh)
RUN="$WORK/run"
AXRUN="$PWD/syscall-bridge/target/native/ax-run"
export AX_RUN_DIR="$RUN"
gcc -O2 -Wall -Wextra -Werror -o "$WORK/connbench" ci/bench/connbench.c
PIDS=()
DAEMON=""

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=ci/bench/lib.sh
. ci/bench/lib.sh
REST_PORT=$(free_port)
await_server() { # $1: service address
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$REST_PORT/appswitch/v1/servers" | grep -q "\"ip\":\"${1%:*}\",\"port\":${1#*:}" && return 0
    sleep 0.1
  done
  echo "no server at $1" >&2; exit 1
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

echo "==> building and starting (rounds=$ROUNDS, $CONNS connects a round, iperf3 ${IPERF_SECONDS}s)" >&2
start_daemon
NODE_IP=$(node_ip)
NATIVE_PORT=$(free_port)
"$WORK/connbench" server "$NATIVE_PORT" & PIDS+=($!)
"$AXRUN" --ip 10.77.0.1 -- "$WORK/connbench" server 9000 >"$WORK/ax-server.log" 2>&1 & PIDS+=($!)
IPERF_NATIVE_PORT=$(free_port)
iperf3 -s -p "$IPERF_NATIVE_PORT" >/dev/null 2>&1 & PIDS+=($!)
"$AXRUN" --ip 10.77.0.2 -- iperf3 -s -p 5201 >/dev/null 2>&1 & PIDS+=($!)
await_server 10.77.0.1:9000
await_server 10.77.0.2:5201
sleep 1

conn_round() { # $1: label, then the client command
  local label=$1; shift
  local out; out=$("$@")
  echo "$label $(echo "$out" | field cps) $(echo "$out" | field p50_us) $(echo "$out" | field p99_us)" >>"$WORK/conn.txt"
}
iperf_round() {
  local label=$1; shift
  local bps; bps=$("$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])')
  echo "$label $bps" >>"$WORK/iperf.txt"
}

for r in $(seq 1 "$ROUNDS"); do
  echo "==> round $r/$ROUNDS" >&2
  conn_round native "$WORK/connbench" client "$NODE_IP" "$NATIVE_PORT" "$CONNS"
  conn_round ax "$AXRUN" -- "$WORK/connbench" client 10.77.0.1 9000 "$CONNS"
  iperf_round native iperf3 -c "$NODE_IP" -p "$IPERF_NATIVE_PORT" -t "$IPERF_SECONDS" -J
  iperf_round ax "$AXRUN" -- iperf3 -c 10.77.0.2 -p 5201 -t "$IPERF_SECONDS" -J
done

echo "==> the same connects with SYNC_WAKE_UP off" >&2
stop_daemon
start_daemon --seccomp-sync-wakeup=false
await_server 10.77.0.1:9000
for r in $(seq 1 "$ROUNDS"); do
  conn_round native-b "$WORK/connbench" client "$NODE_IP" "$NATIVE_PORT" "$CONNS"
  conn_round ax-nosync "$AXRUN" -- "$WORK/connbench" client 10.77.0.1 9000 "$CONNS"
done

stat() { # $1 file, $2 label, $3 column
  awk -v l="$2" -v c="$3" '$1==l {print $c}' "$1" | median
}
N_CPS=$(stat "$WORK/conn.txt" native 2); A_CPS=$(stat "$WORK/conn.txt" ax 2)
N_P50=$(stat "$WORK/conn.txt" native 3); A_P50=$(stat "$WORK/conn.txt" ax 3)
N_P99=$(stat "$WORK/conn.txt" native 4); A_P99=$(stat "$WORK/conn.txt" ax 4)
B_P50=$(stat "$WORK/conn.txt" native-b 3); S_P50=$(stat "$WORK/conn.txt" ax-nosync 3)
B_P99=$(stat "$WORK/conn.txt" native-b 4); S_P99=$(stat "$WORK/conn.txt" ax-nosync 4)
B_CPS=$(stat "$WORK/conn.txt" native-b 2); S_CPS=$(stat "$WORK/conn.txt" ax-nosync 2)
N_BPS=$(stat "$WORK/iperf.txt" native 2); A_BPS=$(stat "$WORK/iperf.txt" ax 2)

calc() { python3 -c "print(f'{$1:.${2:-2}f}')"; }
cat <<TABLE
| measure (median of $ROUNDS interleaved rounds) | native | ax | ax/native | ax - native |
|---|---|---|---|---|
| connections per second ($CONNS sequential) | $(calc "$N_CPS" 0) | $(calc "$A_CPS" 0) | $(calc "$A_CPS/$N_CPS") | |
| connect() latency p50 (µs) | $(calc "$N_P50" 1) | $(calc "$A_P50" 1) | $(calc "$A_P50/$N_P50") | $(calc "$A_P50-$N_P50" 1) |
| connect() latency p99 (µs) | $(calc "$N_P99" 1) | $(calc "$A_P99" 1) | $(calc "$A_P99/$N_P99") | $(calc "$A_P99-$N_P99" 1) |
| iperf3 throughput (Gbit/s, ${IPERF_SECONDS}s) | $(calc "$N_BPS/1e9") | $(calc "$A_BPS/1e9") | $(calc "$A_BPS/$N_BPS" 3) | |
| without SYNC_WAKE_UP: connections per second | $(calc "$B_CPS" 0) | $(calc "$S_CPS" 0) | $(calc "$S_CPS/$B_CPS") | |
| without SYNC_WAKE_UP: connect() p50 (µs) | $(calc "$B_P50" 1) | $(calc "$S_P50" 1) | $(calc "$S_P50/$B_P50") | $(calc "$S_P50-$B_P50" 1) |
| without SYNC_WAKE_UP: connect() p99 (µs) | $(calc "$B_P99" 1) | $(calc "$S_P99" 1) | $(calc "$S_P99/$B_P99") | $(calc "$S_P99-$B_P99" 1) |
TABLE
