#!/usr/bin/env bash
# The data-path benchmark: the same clients and servers in four setups, in one run, interleaved
# round by round (the order of the setups rotates each round, so that none always goes first) so
# that machine noise hits all of them alike. Reports medians and ratios against native:
#   native   client and server as plain processes, over the node IP;
#   ax       client and server both under `ax run`, the client connecting to the server's app IP;
#   haproxy  the native client through a local HAProxy (mode tcp) to the native server: one TCP
#            proxy on the path, standing in for a sidecar (Envoy is not packaged here);
#   axproxy  the native client through the daemon's every-node proxy (an external vservice's
#            vport, as an outside client of the mesh reaches it) to the native server: the same
#            hop as haproxy, made by ax.
# Measures, one run per setup per round:
#   - bulk throughput: iperf3, one stream;
#   - keep-alive HTTP: wrk (1 thread, 8 connections, a Lua done() printing µs percentiles)
#     against nginx (one process) serving a 1 KiB file; nginx and wrk both under ax for ax;
#   - connection setup: connbench's sequential connect() (rate, p50, p99), and socket() to the
#     reply of a 1-byte request, since through a proxy connect() completes against the proxy;
#   - the CPU the ax daemon and HAProxy spend per 1,000 connections (/proc/PID/stat) over the
#     connbench runs and the pause after each;
#   - then, with the daemon restarted with --seccomp-sync-wakeup=false, connect() again, native
#     and ax interleaved (measures *_nosync), to show what SYNC_WAKE_UP buys.
# Usage: ci/bench/datapath.sh [--quick] [--json FILE]
#   (run as root; a Markdown table on stdout, progress on stderr, the results contract in FILE)
set -euo pipefail
usage() { echo "usage: ci/bench/datapath.sh [--quick] [--json FILE]" >&2; exit 2; }
QUICK=0; ROUNDS=5; CONNS=5000; WARM=5000; IPERF_SECONDS=5; IPERF_OMIT="-O 1"; WRK_SECONDS=5; SETTLE=1.5; JSON=""
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1; ROUNDS=1; CONNS=300; WARM=300; IPERF_SECONDS=1; IPERF_OMIT=""; WRK_SECONDS=1; SETTLE=0 ;;
    --json) [ $# -ge 2 ] || usage; JSON=$(realpath -m "$2"); shift ;;
    *) usage ;;
  esac
  shift
done
cd "$(dirname "$0")/../.."
die() { echo "datapath: $*" >&2; exit 1; }
for tool in gcc iperf3 wrk nginx haproxy curl python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (ci/install-deps.sh installs it)"
done
[ "$(id -u)" = 0 ] || die "run as root (ax run needs it)"

[ -f ax-cli/target/ax.jar ] && [ -x syscall-bridge/target/native/ax-run ] || ci/build.sh >&2
WORK=$(mktemp -d /tmp/ax-datapath.XXXXXX)
JAVA=$(ci/find-java.sh)
AXRUN="$PWD/syscall-bridge/target/native/ax-run"
export AX_RUN_DIR="$WORK/run"
CLK_TCK=$(getconf CLK_TCK)
PIDS=()
DAEMON=""

# shellcheck source=ci/bench/lib.sh
. ci/bench/lib.sh
cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null || true
  wait 2>/dev/null || true
  remove_work_unless_failed "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

REST_PORT=$(free_port)
await_server() { # $1: service address
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$REST_PORT/appswitch/v1/servers" | grep -q "\"ip\":\"${1%:*}\",\"port\":${1#*:}" && return 0
    sleep 0.1
  done
  die "no server at $1 under ax; daemon log: $WORK/daemon.log"
}
await_port() { # $1: ip, $2: port, $3: what listens there, $4: its pid, $5: its log
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || break
    sleep 0.1
  done
  die "$3 does not listen on $1:$2: $(grep -v NOTICE "$5" | tail -n 1)"
}
# Ports outside the kernel's ephemeral range (32768-60999 here) and the daemons' usual pools
# (40000-60000 by default): other jobs on this machine bind there all the time, and a port that
# one of them takes between our check and our bind would put a stranger behind a setup.
low_ports() { # $1: how many; distinct free ports in 20000-29999
  python3 - "$1" <<'EOF'
import random, socket, sys
ports = []
for p in random.sample(range(20000, 30000), 300):
    with socket.socket() as s:
        try:
            s.bind(("", p))
        except OSError:
            continue
    ports.append(p)
    if len(ports) == int(sys.argv[1]):
        break
print(*ports)
EOF
}
cpu_ticks() { # user+sys of a process, its exited threads included (proc(5): fields 14 and 15)
  sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

echo "==> starting (rounds=$ROUNDS, $CONNS connects a round, iperf3 ${IPERF_SECONDS}s, wrk ${WRK_SECONDS}s)" >&2
gcc -O2 -Wall -Wextra -Werror -o "$WORK/connbench" ci/bench/connbench.c
mkdir -p "$WORK/www"
head -c 1024 /dev/zero | tr '\0' 'x' >"$WORK/www/1k.txt"
# The daemon's pool for the ax servers: a random block of 100 ports below the ephemeral range.
POOL_START=$((30000 + 100 * (RANDOM % 27)))
POOL="$POOL_START-$((POOL_START + 99))"
start_daemon --dns=false --ports "$POOL"
NODE_IP=$(node_ip)
[ -n "$NODE_IP" ] || die "the daemon reports no node IP"

# nginx in the foreground, one process (no master: nothing else to fork under ax run), with its
# own prefix, pid and logs. keepalive_requests is raised so that wrk's 8 connections stay open for
# the whole run: the measure is requests on open connections, not reconnects every 1,000.
nginx_conf() { # $1: name, $2: port
  local dir="$WORK/nginx-$1"
  mkdir -p "$dir/tmp"
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 100000000;
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
  server { listen $2; root $WORK/www; }
}
EOF
  echo "-p $dir/ -e $dir/error.log -c $dir/nginx.conf"
}

echo "==> native servers: connbench, connbench echo, iperf3, nginx" >&2
PORTS=$(low_ports 12)
read -r CB_PORT ECHO_PORT IPERF_PORT NGINX_PORT HP_CB HP_ECHO HP_IPERF HP_NGINX AP_CB AP_ECHO AP_IPERF AP_NGINX <<<"$PORTS"
[ -n "$AP_NGINX" ] || die "found no 12 free ports in 20000-29999"
"$WORK/connbench" server "$CB_PORT" & PIDS+=($!)
"$WORK/connbench" echo-server "$ECHO_PORT" & PIDS+=($!)
iperf3 -s -p "$IPERF_PORT" >"$WORK/iperf3.log" 2>&1 & IPERF=$!; PIDS+=("$IPERF")
# shellcheck disable=SC2046 # the flags are words
nginx $(nginx_conf native "$NGINX_PORT") >"$WORK/nginx-native.out" 2>&1 & NGINX=$!; PIDS+=("$NGINX")

echo "==> the same servers under ax run" >&2
"$AXRUN" --ip 10.77.0.1 -- "$WORK/connbench" server 9000 >"$WORK/ax-connbench.log" 2>&1 & PIDS+=($!)
"$AXRUN" --ip 10.77.0.2 -- iperf3 -s -p 5201 >"$WORK/ax-iperf3.log" 2>&1 & PIDS+=($!)
"$AXRUN" --ip 10.77.0.3 -- "$WORK/connbench" echo-server 9000 >"$WORK/ax-echo.log" 2>&1 & PIDS+=($!)
# shellcheck disable=SC2046
"$AXRUN" --ip 10.77.0.4 -- nginx $(nginx_conf ax 8080) >"$WORK/ax-nginx.log" 2>&1 & PIDS+=($!)

# HAProxy as a sidecar would run: one process in the foreground, 2 threads (Istio's default
# proxy concurrency), plain TCP forwarding, no health checks, no logs; timeouts long enough for an
# idle iperf3 control connection. One frontend per server, on loopback like a sidecar's listener.
echo "==> HAProxy in front of the native servers" >&2
cat >"$WORK/haproxy.cfg" <<EOF
global
  nbthread 2
  maxconn 4000
defaults
  mode tcp
  timeout connect 5s
  timeout client 1m
  timeout server 1m
listen connbench
  bind 127.0.0.1:$HP_CB
  server s $NODE_IP:$CB_PORT
listen echo
  bind 127.0.0.1:$HP_ECHO
  server s $NODE_IP:$ECHO_PORT
listen iperf3
  bind 127.0.0.1:$HP_IPERF
  server s $NODE_IP:$IPERF_PORT
listen http
  bind 127.0.0.1:$HP_NGINX
  server s $NODE_IP:$NGINX_PORT
EOF
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 & HAPROXY=$!; PIDS+=("$HAPROXY")

# The daemon's every-node proxy doing HAProxy's job: an external vservice whose vports forward to
# the native servers (NODE_IP is no service table entry, so it is an address outside the mesh).
echo "==> the daemon's every-node proxy in front of the native servers" >&2
curl -sf -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $(cat "$WORK/run/rest.token")" "http://127.0.0.1:$REST_PORT/appswitch/v1/oper/createvirtualservice" \
  -d "{\"name\":\"bench-proxy\",\"ip\":\"10.77.0.9\",\"type\":\"RoundRobin\",\"backendips\":[\"$NODE_IP\"],\"extports\":[{\"extport\":$AP_CB,\"appport\":$CB_PORT},{\"extport\":$AP_ECHO,\"appport\":$ECHO_PORT},{\"extport\":$AP_IPERF,\"appport\":$IPERF_PORT},{\"extport\":$AP_NGINX,\"appport\":$NGINX_PORT}]}" \
  >/dev/null || die "could not create the external vservice; daemon log: $WORK/daemon.log"

await_port "$NODE_IP" "$NGINX_PORT" nginx "$NGINX" "$WORK/nginx-native/error.log"
await_port 127.0.0.1 "$HP_NGINX" HAProxy "$HAPROXY" "$WORK/haproxy.log"
await_port 127.0.0.1 "$AP_NGINX" "the daemon's proxy" "$DAEMON" "$WORK/daemon.log"
await_port "$NODE_IP" "$IPERF_PORT" iperf3 "$IPERF" "$WORK/iperf3.log"
for a in 10.77.0.1:9000 10.77.0.2:5201 10.77.0.3:9000 10.77.0.4:8080; do await_server "$a"; done
sleep 1

# Each setup's client: the command prefix and where it connects.
declare -A PREFIX=([native]="" [ax]="$AXRUN --" [haproxy]="" [axproxy]="")
declare -A CONNECT_TO=([native]="$NODE_IP $CB_PORT" [ax]="10.77.0.1 9000" [haproxy]="127.0.0.1 $HP_CB" [axproxy]="127.0.0.1 $AP_CB")
declare -A ECHO_TO=([native]="$NODE_IP $ECHO_PORT" [ax]="10.77.0.3 9000" [haproxy]="127.0.0.1 $HP_ECHO" [axproxy]="127.0.0.1 $AP_ECHO")
declare -A IPERF_TO=([native]="-c $NODE_IP -p $IPERF_PORT" [ax]="-c 10.77.0.2 -p 5201" [haproxy]="-c 127.0.0.1 -p $HP_IPERF" [axproxy]="-c 127.0.0.1 -p $AP_IPERF")
declare -A URL=([native]="http://$NODE_IP:$NGINX_PORT/1k.txt" [ax]="http://10.77.0.4:8080/1k.txt" [haproxy]="http://127.0.0.1:$HP_NGINX/1k.txt" [axproxy]="http://127.0.0.1:$AP_NGINX/1k.txt")
# The third party whose CPU is counted per connection (none for native).
declare -A THIRD=([ax]="$DAEMON" [haproxy]="$HAPROXY" [axproxy]="$DAEMON")

cat >"$WORK/wrk.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("requests=%d seconds=%.3f errors=%d p50_us=%d p99_us=%d (errors: connect %d, read %d, write %d, status %d, timeout %d)\n",
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
EOF

SAMPLES="$WORK/samples.txt"; : >"$SAMPLES"; : >"$WORK/cpu.txt"
record() { echo "$1 $2 $3 $4" >>"$SAMPLES"; } # measure label round value
calc() { awk "BEGIN {printf \"%.6g\\n\", $1}"; }
fields() { # $1: a tool's output, then names; their numbers on one line, or one line saying which is missing
  local out=$1 name v vals=(); shift
  for name in "$@"; do
    v=$(sed -n "s/.*\b$name=\([0-9.]*\).*/\1/p" <<<"$out")
    [[ "$v" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "no number for $name in: $(head -c 300 <<<"$out")"
    vals+=("$v")
  done
  echo "${vals[*]}"
}
run() { # $1: what it is, then the command; its stdout, or one line saying why not
  local what=$1; shift
  local out
  out=$("$@" 2>"$WORK/err") || die "$what failed: $(cat "$WORK/err" - <<<"$out" | tr -s '\n ' ' ' | head -c 300)"
  [ -n "$out" ] || die "$what printed nothing: $(tr '\n' ' ' <"$WORK/err" | head -c 300)"
  echo "$out"
}

conn_round() { # $1: setup, $2: round, $3: connbench client mode (client | first-byte), $4: measure id suffix
  local s=$1 r=$2 mode=$3 suffix=${4:-} to m out before vals n cps p50 p99
  if [ "$mode" = client ]; then to=${CONNECT_TO[$s]}; m=connect; else to=${ECHO_TO[$s]}; m=first_byte; fi
  # The daemon goes on working for a moment after an ax run (reaping the exited app, GC, JIT);
  # without a pause the next setup's run pays 5-7 µs a connect for it.
  sleep "$SETTLE"
  before=$( [ -n "${THIRD[$s]:-}" ] && cpu_ticks "${THIRD[$s]}" || echo 0)
  # shellcheck disable=SC2086 # PREFIX and the address are words
  out=$(run "connbench $mode ($s)" ${PREFIX[$s]} "$WORK/connbench" "$mode" $to "$CONNS")
  # The CPU count goes on through the pause after the run: the daemon's deferred work (the exited
  # app, GC of the run's garbage) is part of what the connections cost.
  sleep "$SETTLE"
  [ -n "${THIRD[$s]:-}" ] && echo "$s $r $(($(cpu_ticks "${THIRD[$s]}") - before))" >>"$WORK/cpu.txt"
  vals=$(fields "$out" conns cps p50_us p99_us)
  read -r n cps p50 p99 <<<"$vals"
  [ "$n" = "$CONNS" ] || die "connbench $mode ($s) made $n of $CONNS connections"
  [ "$mode" = client ] && record "${m}_cps$suffix" "$s" "$r" "$cps"
  record "${m}_p50_us$suffix" "$s" "$r" "$p50"
  record "${m}_p99_us$suffix" "$s" "$r" "$p99"
}
iperf_round() { # $1: setup, $2: round
  local out bps gbps
  # shellcheck disable=SC2086
  out=$(run "iperf3 ($1)" ${PREFIX[$1]} iperf3 ${IPERF_TO[$1]} -t "$IPERF_SECONDS" $IPERF_OMIT -J)
  bps=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])' <<<"$out" 2>/dev/null) ||
    die "iperf3 ($1) gave no throughput: $(head -c 300 <<<"$out")"
  gbps=$(calc "$bps / 1e9")
  record iperf3_gbps "$1" "$2" "$gbps"
}
wrk_round() { # $1: setup, $2: round
  local out vals requests seconds errors p50 p99 rps
  # shellcheck disable=SC2086
  out=$(run "wrk ($1)" ${PREFIX[$1]} wrk -t1 -c8 -d"${WRK_SECONDS}s" --latency -s "$WORK/wrk.lua" "${URL[$1]}")
  grep -q "Non-2xx" <<<"$out" && die "wrk ($1) got answers other than 2xx: $(grep -o 'Non-2xx.*' <<<"$out")"
  vals=$(fields "$out" requests seconds errors p50_us p99_us)
  read -r requests seconds errors p50 p99 <<<"$vals"
  [ "$errors" = 0 ] || die "wrk ($1) had $errors errors $(grep -o '(errors:.*)' <<<"$out")"
  [ "$requests" -gt 0 ] || die "wrk ($1) made no requests"
  rps=$(calc "$requests / $seconds")
  record http_rps "$1" "$2" "$rps"
  record http_p50_us "$1" "$2" "$p50"
  record http_p99_us "$1" "$2" "$p99"
}
rotate() { # $1: round, then the setups; the setups, starting at a different one each round
  local r=$1; shift
  local n=$# i
  local a=("$@")
  for i in $(seq 0 $((n - 1))); do echo "${a[$(((i + r - 1) % n))]}"; done
}

SETUPS=(native ax haproxy axproxy)
# Each setup's HTTP path serves our file: a stranger on a port would fail here, not as wrk errors.
for s in "${SETUPS[@]}"; do
  # shellcheck disable=SC2086
  ${PREFIX[$s]} curl -sf --max-time 5 "${URL[$s]}" | cmp -s - "$WORK/www/1k.txt" || die "${URL[$s]} ($s) does not serve the 1 KiB file"
done

# A warm-up, not recorded: the daemon's JIT compiles its connect path in the first thousands of
# connections, a one-off cost that would otherwise land in round 1 of ax.
echo "==> warming up: $WARM connects of each kind per setup" >&2
for s in "${SETUPS[@]}"; do
  # shellcheck disable=SC2086
  run "connbench warm-up ($s)" ${PREFIX[$s]} "$WORK/connbench" client ${CONNECT_TO[$s]} "$WARM" >/dev/null
  # shellcheck disable=SC2086
  run "connbench warm-up ($s)" ${PREFIX[$s]} "$WORK/connbench" first-byte ${ECHO_TO[$s]} "$WARM" >/dev/null
done

for r in $(seq 1 "$ROUNDS"); do
  mapfile -t order < <(rotate "$r" "${SETUPS[@]}")
  echo "==> round $r/$ROUNDS (${order[*]})" >&2
  for s in "${order[@]}"; do conn_round "$s" "$r" client; done
  for s in "${order[@]}"; do conn_round "$s" "$r" first-byte; done
  # The daemon's and HAProxy's CPU over their setup's connbench runs: 2 x CONNS connections.
  for s in ax haproxy axproxy; do
    ticks=$(awk -v s="$s" -v r="$r" '$1 == s && $2 == r {t += $3} END {print t + 0}' "$WORK/cpu.txt")
    cpu=$(calc "$ticks / $CLK_TCK / (2 * $CONNS) * 1000")
    record daemon_cpu_s_per_1k "$s" "$r" "$cpu"
  done
  for s in "${order[@]}"; do iperf_round "$s" "$r"; done
  for s in "${order[@]}"; do wrk_round "$s" "$r"; done
done

echo "==> connects again with SYNC_WAKE_UP off" >&2
stop_daemon
start_daemon --dns=false --ports "$POOL" --seccomp-sync-wakeup=false
THIRD[ax]=$DAEMON
await_server 10.77.0.1:9000
# A new daemon is a new JVM: warm its connect path again.
# shellcheck disable=SC2086
run "connbench warm-up (ax)" $AXRUN -- "$WORK/connbench" client ${CONNECT_TO[ax]} "$WARM" >/dev/null
for r in $(seq 1 "$ROUNDS"); do
  mapfile -t order < <(rotate "$r" native ax)
  for s in "${order[@]}"; do conn_round "$s" "$r" client _nosync; done
done

QUICK=$QUICK ROUNDS=$ROUNDS CONNS=$CONNS IPERF_SECONDS=$IPERF_SECONDS WRK_SECONDS=$WRK_SECONDS JSON=$JSON \
  HAPROXY_VERSION=$(haproxy -v | sed -n '1s/HAProxy version \([^ ]*\).*/\1/p') \
  NGINX_VERSION=$(nginx -v 2>&1 | sed 's/.*nginx\///') KERNEL=$(uname -r) CPUS=$(nproc) \
  python3 ci/bench/datapath.py "$SAMPLES"
