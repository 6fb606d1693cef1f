#!/usr/bin/env bash
# The federation benchmark: a connection between two clusters, through two gateways, against
# HAProxy making the same two hops. Two network namespaces stand for the two clusters' gateway
# nodes, joined by a veth "WAN" (10.98.0.0/30); each runs an ax daemon that is its one-node
# cluster's federation gateway (cluster0 on the client's side, cluster1 on the server's). Three
# setups, interleaved round by round (the order rotates):
#   native   the client connects to the server across the link, no proxy;
#   haproxy  the client connects to HAProxy in its namespace, which sends a PROXY v2 header and
#            the bytes to HAProxy in the server's namespace (accept-proxy), which connects to the
#            server: two proxies, as two gateways;
#   axfed    the client connects to cluster0's import listener for the server's service address
#            (the egress federation gateway service), which carries it with a PROXY v2 header to
#            cluster1's ingress (6660), which connects to the server.
# The clients are plain processes in every setup (a client under ax run would find the import
# listener by its connect decision; that costs what the datapath part measures, not a gateway).
# Measures per setup and round: iperf3 throughput (one stream), the time from socket() to the
# reply of a 1-byte request on a new connection (connbench first-byte: p50, p99, rate), and the
# CPU of the two daemons or the two HAProxies per 1,000 connections.
# Usage: ci/bench/federation.sh [--quick] [--json FILE]   (run as root)
set -euo pipefail
usage() { echo "usage: ci/bench/federation.sh [--quick] [--json FILE]" >&2; exit 2; }
QUICK=0; ROUNDS=5; CONNS=5000; WARM=5000; IPERF_SECONDS=5; IPERF_OMIT="-O 1"; SETTLE=1.5; JSON=""
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1; ROUNDS=1; CONNS=300; WARM=300; IPERF_SECONDS=1; IPERF_OMIT=""; SETTLE=0 ;;
    --json) [ $# -ge 2 ] || usage; JSON=$(realpath -m "$2"); shift ;;
    *) usage ;;
  esac
  shift
done
cd "$(dirname "$0")/../.."
die() { echo "federation: $*" >&2; exit 1; }
for tool in gcc iperf3 haproxy curl python3 ip; do
  command -v "$tool" >/dev/null || die "$tool is not installed (ci/install-deps.sh installs it)"
done
[ "$(id -u)" = 0 ] || die "run as root (network namespaces, ax run)"
[ -f ax-cli/target/ax.jar ] && [ -x syscall-bridge/target/native/ax-run ] || ci/build.sh >&2

WORK=$(mktemp -d /tmp/ax-federation.XXXXXX)
JAVA=$(ci/find-java.sh)
AXRUN="$PWD/syscall-bridge/target/native/ax-run"
CLK_TCK=$(getconf CLK_TCK)
ID=$((RANDOM % 9000 + 1000))
NSA="axfb-$ID-c0"; NSB="axfb-$ID-c1"
IPA=10.98.0.1; IPB=10.98.0.2
PIDS=()
# shellcheck source=ci/bench/lib.sh
. ci/bench/lib.sh
cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # The daemons are no children of this shell (started in command substitutions): wait for them
  # too, or their last state save races the removal of their run directories.
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  ip netns del "$NSA" 2>/dev/null || true
  ip netns del "$NSB" 2>/dev/null || true
  remove_work_unless_failed "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ina() { ip netns exec "$NSA" "$@"; }

echo "==> two namespaces on a veth link, $IPA and $IPB (rounds=$ROUNDS, $CONNS connections a round, iperf3 ${IPERF_SECONDS}s)" >&2
ip netns add "$NSA"; ip netns add "$NSB"
ip -n "$NSA" link add wan type veth peer name wan netns "$NSB"
ip -n "$NSA" addr add "$IPA/30" dev wan; ip -n "$NSB" addr add "$IPB/30" dev wan
for ns in "$NSA" "$NSB"; do ip -n "$ns" link set wan up; ip -n "$ns" link set lo up; done
gcc -O2 -Wall -Wextra -Werror -o "$WORK/connbench" ci/bench/connbench.c

daemon() { # $1: namespace, $2: cluster, $3: node IP, $4: the other gateway's IP
  mkdir -p "$WORK/$2"
  ip netns exec "$1" "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar ax-cli/target/ax.jar \
    daemon --run-dir "$WORK/$2" --node-name "gw-$2" --cluster "$2" --node-interface "$3" --dns=false --outbound-traffic-policy REGISTRY_ONLY \
    --federation-gateway-ip "$3" --federation-gateway-neighbors "$4" >>"$WORK/$2.log" 2>&1 &
  echo $!
}
rest() { # $1: namespace, $2: resource
  ip netns exec "$1" curl -sf "http://127.0.0.1:6664/appswitch/v1/$2"
}
DAEMON_A=$(daemon "$NSA" cluster0 "$IPA" "$IPB"); PIDS+=("$DAEMON_A")
DAEMON_B=$(daemon "$NSB" cluster1 "$IPB" "$IPA"); PIDS+=("$DAEMON_B")
for ns in "$NSA" "$NSB"; do
  for _ in $(seq 1 150); do rest "$ns" nodes >/dev/null 2>&1 && break; sleep 0.2; done
  rest "$ns" nodes >/dev/null || die "a daemon did not start; logs: $WORK/cluster0.log, $WORK/cluster1.log"
done

echo "==> servers in cluster1: native and under ax run" >&2
# Fresh namespaces: every port is free there.
ECHO_PORT=21001; IPERF_PORT=21002; HP_ECHO=22001; HP_IPERF=22002; HPB_ECHO=23001; HPB_IPERF=23002
# Started by `ip netns exec` directly (it execs the program), so that $! is the program's pid.
ip netns exec "$NSB" "$WORK/connbench" echo-server "$ECHO_PORT" & PIDS+=($!)
ip netns exec "$NSB" iperf3 -s -p "$IPERF_PORT" >"$WORK/iperf3.log" 2>&1 & PIDS+=($!)
ip netns exec "$NSB" "$AXRUN" --run-dir "$WORK/cluster1" --ip 198.18.77.3 -- "$WORK/connbench" echo-server 9000 >"$WORK/ax-echo.log" 2>&1 & PIDS+=($!)
ip netns exec "$NSB" "$AXRUN" --run-dir "$WORK/cluster1" --ip 198.18.77.2 -- iperf3 -s -p 5201 >"$WORK/ax-iperf3.log" 2>&1 & PIDS+=($!)

# HAProxy at both ends, as the two gateways: 2 threads each (the daemons' proxies run one event
# loop per core, 2 here), plain TCP, the PROXY v2 header between them, no health checks or logs.
haproxy_cfg() { # $1: file, then "name bind server extra" lines
  local f=$1; shift
  printf 'global\n  nbthread 2\n  maxconn 4000\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 1m\n  timeout server 1m\n' >"$f"
  local line name bind server extra
  for line in "$@"; do
    read -r name bind server extra <<<"$line"
    printf 'listen %s\n  bind %s %s\n  server s %s %s\n' "$name" "$bind" "${extra%%|*}" "$server" "${extra#*|}" >>"$f"
  done
}
haproxy_cfg "$WORK/haproxy-a.cfg" "echo $IPA:$HP_ECHO $IPB:$HPB_ECHO |send-proxy-v2" "iperf3 $IPA:$HP_IPERF $IPB:$HPB_IPERF |send-proxy-v2"
haproxy_cfg "$WORK/haproxy-b.cfg" "echo $IPB:$HPB_ECHO $IPB:$ECHO_PORT accept-proxy|" "iperf3 $IPB:$HPB_IPERF $IPB:$IPERF_PORT accept-proxy|"
ip netns exec "$NSA" haproxy -db -f "$WORK/haproxy-a.cfg" >"$WORK/haproxy-a.log" 2>&1 & HAPROXY_A=$!; PIDS+=("$HAPROXY_A")
ip netns exec "$NSB" haproxy -db -f "$WORK/haproxy-b.cfg" >"$WORK/haproxy-b.log" 2>&1 & HAPROXY_B=$!; PIDS+=("$HAPROXY_B")

# cluster0's import listener for a cluster1 service address: its entry's host address.
import_of() { # $1: service address ip:port
  rest "$NSA" servers | python3 -c '
import json, sys
want = sys.argv[1]
for s in json.load(sys.stdin).get("servers", []):
    a, h = s["service_addr"], s["host_addr"]
    if "%s:%s" % (a["ip"], a["port"]) == want and s.get("cluster") == "cluster1":
        print(h["ip"], h["port"])
' "$1"
}
echo "==> waiting for cluster1's services in cluster0's table" >&2
for _ in $(seq 1 300); do
  AX_ECHO=$(import_of 198.18.77.3:9000 || true); AX_IPERF=$(import_of 198.18.77.2:5201 || true)
  [ -n "$AX_ECHO" ] && [ -n "$AX_IPERF" ] && break
  sleep 0.2
done
[ -n "$AX_ECHO" ] && [ -n "$AX_IPERF" ] || die "cluster1's services never reached cluster0; logs: $WORK/cluster0.log, $WORK/cluster1.log"

declare -A ECHO_TO=([native]="$IPB $ECHO_PORT" [haproxy]="$IPA $HP_ECHO" [axfed]="$AX_ECHO")
declare -A IPERF_TO=([native]="-c $IPB -p $IPERF_PORT" [haproxy]="-c $IPA -p $HP_IPERF" [axfed]="-c ${AX_IPERF% *} -p ${AX_IPERF#* }")
SETUPS=(native haproxy axfed)

SAMPLES="$WORK/samples.txt"; : >"$SAMPLES"
record() { echo "$1 $2 $3 $4" >>"$SAMPLES"; }
calc() { awk "BEGIN {printf \"%.6g\\n\", $1}"; }
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
third_ticks() { # $1: setup; the CPU of its two proxies
  case $1 in
    haproxy) echo $(($(cpu_ticks "$HAPROXY_A") + $(cpu_ticks "$HAPROXY_B"))) ;;
    axfed) echo $(($(cpu_ticks "$DAEMON_A") + $(cpu_ticks "$DAEMON_B"))) ;;
    *) echo 0 ;;
  esac
}
run() { # $1: what it is, then the command; its stdout, or one line saying why not
  local what=$1; shift
  local out
  out=$("$@" 2>"$WORK/err") || die "$what failed: $(cat "$WORK/err" - <<<"$out" | tr -s '\n ' ' ' | head -c 300)"
  [ -n "$out" ] || die "$what printed nothing: $(tr '\n' ' ' <"$WORK/err" | head -c 300)"
  echo "$out"
}
value() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

conn_round() { # $1: setup, $2: round
  local s=$1 r=$2 out before n
  sleep "$SETTLE"
  before=$(third_ticks "$s")
  # shellcheck disable=SC2086 # the address is two words
  out=$(run "connbench first-byte ($s)" ina "$WORK/connbench" first-byte ${ECHO_TO[$s]} "$CONNS")
  sleep "$SETTLE"
  n=$(value conns "$out")
  [ "$n" = "$CONNS" ] || die "connbench ($s) made $n of $CONNS connections: $out"
  record first_byte_cps "$s" "$r" "$(value cps "$out")"
  record first_byte_p50_us "$s" "$r" "$(value p50_us "$out")"
  record first_byte_p99_us "$s" "$r" "$(value p99_us "$out")"
  [ "$s" = native ] || record proxy_cpu_s_per_1k "$s" "$r" "$(calc "($(third_ticks "$s") - $before) / $CLK_TCK / $CONNS * 1000")"
}
iperf_round() { # $1: setup, $2: round
  local out bps
  # shellcheck disable=SC2086
  out=$(run "iperf3 ($1)" ina iperf3 ${IPERF_TO[$1]} -t "$IPERF_SECONDS" $IPERF_OMIT -J)
  bps=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])' <<<"$out" 2>/dev/null) ||
    die "iperf3 ($1) gave no throughput: $(head -c 300 <<<"$out")"
  record iperf3_gbps "$1" "$2" "$(calc "$bps / 1e9")"
}
rotate() { local r=$1; shift; local a=("$@") i; for i in $(seq 0 $(($# - 1))); do echo "${a[$(((i + r - 1) % $#))]}"; done; }

echo "==> warming up: $WARM connections per setup" >&2
for s in "${SETUPS[@]}"; do
  # shellcheck disable=SC2086
  run "connbench warm-up ($s)" ina "$WORK/connbench" first-byte ${ECHO_TO[$s]} "$WARM" >/dev/null
done
for r in $(seq 1 "$ROUNDS"); do
  mapfile -t order < <(rotate "$r" "${SETUPS[@]}")
  echo "==> round $r/$ROUNDS (${order[*]})" >&2
  for s in "${order[@]}"; do conn_round "$s" "$r"; done
  for s in "${order[@]}"; do iperf_round "$s" "$r"; done
done

QUICK=$QUICK ROUNDS=$ROUNDS CONNS=$CONNS IPERF_SECONDS=$IPERF_SECONDS JSON=$JSON \
  HAPROXY_VERSION=$(haproxy -v | sed -n '1s/HAProxy version \([^ ]*\).*/\1/p') KERNEL=$(uname -r) CPUS=$(nproc) \
  python3 ci/bench/federation.py "$SAMPLES"
