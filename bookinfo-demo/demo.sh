#!/usr/bin/env bash
# The bookinfo demo: Istio's bookinfo on ax, on this one machine, with no sidecar.
#
# Builds ax if it is not built, then starts the ax daemon, pilot-lite (`ax pilot`, serving Istio's
# own unmodified bookinfo YAML, istio-samples/fixtures/samples/bookinfo/, from a directory, with
# the apps as the Services' endpoints), the xDS agent (`ax agent`) and the six bookinfo programs
# under `ax run`, and shows the story of the reference blog: the apps and the
# vservices, 30 requests to productpage charted by the reviews version that answered (round
# robin), the reviews load balancer made RANDOM (the blog's legacy DestinationPolicy, then
# today's DestinationRule), and an 80/20 VirtualService with its chart. It stops everything it
# started at the end or on Ctrl-C, and checks that no process, mount or namespace is left.
#
#   ci/demo.sh            the story
#   ci/demo.sh --quick    what CI runs: the same system, the distributions asserted (all three
#                         versions under round robin; v1 between 65% and 92% of 100 connections
#                         under 80/20), one line at the end; exits 1 with one line if not
#
# Needs root (network namespaces; the daemon's DNS binds NODE-IP:53, so no other ax daemon with
# DNS may run). Logs go to files whose paths are printed when something fails (AX_DEMO_LOGS=DIR
# puts them in DIR and keeps them).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEMO="$ROOT/bookinfo-demo"
# Istio's files, unmodified (istio-samples/fixtures/SOURCES.md says where each comes from).
SAMPLES_REL=istio-samples/fixtures/samples/bookinfo
SAMPLES="$ROOT/$SAMPLES_REL"
ME=ci/demo.sh

MODE=story
case "${1:-}" in
  "") ;;
  --quick) MODE=quick ;;
  -h|--help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) echo "$ME: unknown argument '$1' (expected --quick or nothing)" >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "$ME: too many arguments (expected --quick or nothing)" >&2; exit 2; }

# ---------------------------------------------------------------- output
if [ -t 1 ]; then B=$'\033[1m' C=$'\033[36m' G=$'\033[32m' N=$'\033[0m'; else B= C= G= N=; fi
step() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }
note() { printf '    %s\n' "$*"; }
cmd() { printf '%s$ %s%s\n' "$C" "$*" "$N"; }
show() { cmd "$*"; "$@"; }

# fd 3 is the demo's stderr, for messages from the EXIT trap and die(), which may run while a
# check's output goes to /dev/null (a Ctrl-C during `until check >/dev/null`).
exec 3>&2
FAILED=0
LOGS=""
# One line on stderr, the log directory kept and named, exit 1 (the EXIT trap stops everything).
die() {
  FAILED=1
  echo "$ME: $*" >&3
  [ -z "$LOGS" ] || echo "$ME: logs are in $LOGS" >&3
  exit 1
}

# ---------------------------------------------------------------- prerequisites
[ "$(uname -s)" = Linux ] || die "ax runs on Linux (this is $(uname -s))"
[ "$(id -u)" -eq 0 ] || die "needs root: ax run makes network namespaces and the daemon's DNS binds port 53 (try: sudo $ME)"
missing=()
for tool in python3 curl gcc make ip pgrep setsid; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  command -v dpkg-query >/dev/null 2>&1 || die "missing ${missing[*]}: install them (python3, curl, gcc, make, iproute2, procps, util-linux)"
  "$ROOT/ci/install-deps.sh" --demo
fi
if [ ! -f "$ROOT/ax-cli/target/ax.jar" ] || [ ! -x "$ROOT/syscall-bridge/target/native/ax-run" ]; then
  "$ROOT/ci/build.sh" || exit 1
fi

PREFIX=$(mktemp -d /tmp/ax-bookinfo.XXXXXX)
LOGS="${AX_DEMO_LOGS:-$PREFIX/logs}"   # AX_DEMO_LOGS=DIR keeps the logs after a run that went well
RUN_DIR="$PREFIX/run"
CONFIG="$PREFIX/istio"
mkdir -p "$LOGS" "$RUN_DIR" "$CONFIG"
export AX_RUN_DIR="$RUN_DIR" AX_ADMIN="$RUN_DIR/admin.sock"
export PATH="$PREFIX/bin:$PATH"
export SERVICES_DOMAIN=default.svc.cluster.local

# ---------------------------------------------------------------- stopping
DAEMON_PID="" PILOT_PID="" AGENT_PID=""
APP_PIDS=()        # the ax run supervisors
WATCH_PIDS=()      # every pid started, and the apps' own pids: none may outlive the demo
NETNS_BEFORE=$(ip netns list 2>/dev/null | sort)
MOUNTS_BEFORE=$(grep -e "$PREFIX" -e resolv.conf /proc/mounts | sort || true)

# Sends SIGTERM to the given pids, waits up to $1 seconds for them, then SIGKILLs what is left.
stop_pids() {
  local grace=$1; shift
  local pid
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  local deadline=$((SECONDS + grace))
  for pid in "$@"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$ME: pid $pid did not stop in ${grace} s; killing it" >&3
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
}

# What outlived the demo: its processes (by pid, and by the paths on their command lines),
# network namespaces, mounts. Prints one line per kind; empty when everything is gone.
leftovers() {
  local pid alive=()
  for pid in "${WATCH_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  for pid in $(pgrep -f -- "$PREFIX/" || true) $(pgrep -f -- "$DEMO/services/" || true); do alive+=("$pid"); done
  [ ${#alive[@]} -eq 0 ] || echo "processes left: $(printf '%s\n' "${alive[@]}" | sort -un | tr '\n' ' ')"
  local netns
  netns=$(comm -13 <(echo "$NETNS_BEFORE") <(ip netns list 2>/dev/null | sort) | grep . || true)
  [ -z "$netns" ] || echo "network namespaces left: $(echo "$netns" | tr '\n' ' ')"
  local mounts
  mounts=$(comm -13 <(echo "$MOUNTS_BEFORE") <(grep -e "$PREFIX" -e resolv.conf /proc/mounts | sort || true) | grep . || true)
  [ -z "$mounts" ] || echo "mounts left: $(echo "$mounts" | awk '{print $2}' | tr '\n' ' ')"
}

STOPPED=0
stop_all() {
  [ "$STOPPED" = 0 ] || return 0
  STOPPED=1
  trap '' INT TERM   # a second Ctrl-C must not cut the teardown short
  [ ${#APP_PIDS[@]} -eq 0 ] || stop_pids 5 "${APP_PIDS[@]}"
  local xds=()
  [ -z "$AGENT_PID" ] || xds+=("$AGENT_PID")
  [ -z "$PILOT_PID" ] || xds+=("$PILOT_PID")
  [ ${#xds[@]} -eq 0 ] || stop_pids 8 "${xds[@]}"
  [ -z "$DAEMON_PID" ] || stop_pids 10 "$DAEMON_PID"
}

on_exit() {
  local status=$?
  stop_all
  local left
  left=$(leftovers)
  if [ -n "$left" ]; then
    echo "$ME: after stopping, $(echo "$left" | paste -sd ';' | sed 's/;/; /g') (logs in $LOGS)" >&3
    status=1 FAILED=1
  fi
  if [ "$FAILED" = 0 ] && [ "$status" -eq 0 ]; then
    rm -rf "$PREFIX"
    exit 0
  fi
  # Keep the logs only (the installed jar alone is 50 MB).
  find "$PREFIX" -mindepth 1 -maxdepth 1 ! -path "$LOGS" -exec rm -rf {} + 2>/dev/null || true
  rmdir "$PREFIX" 2>/dev/null || true
  if [ "$status" -eq 130 ]; then
    echo "$ME: interrupted; everything it started is stopped (logs in $LOGS)" >&3
  elif [ "$FAILED" = 0 ]; then
    echo "$ME: failed (exit $status); logs are in $LOGS" >&3
  fi
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- starting
# start NAME CMD...: runs CMD in a session of its own (so that Ctrl-C reaches the demo, which then
# stops everything in order), output to $LOGS/NAME.log; sets STARTED to its pid.
STARTED=""
start() {
  local name=$1; shift
  setsid "$@" </dev/null >"$LOGS/$name.log" 2>&1 &
  STARTED=$!
  WATCH_PIDS+=("$STARTED")
}

# await SECONDS PID NAME CHECK...: polls CHECK until it succeeds; fails with the last line of the
# log of NAME if PID exits or the time runs out.
await() {
  local limit=$1 pid=$2 name=$3; shift 3
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      local last
      last=$(grep -v '^\s*at ' "$LOGS/$name.log" | grep . | tail -n 1)
      case "$last" in
        *"cannot serve DNS"*) last="$last; the demo needs that port (bookinfo finds its services by name): stop the ax daemon or DNS server holding it" ;;
      esac
      die "$name exited: $last"
    fi
    [ $SECONDS -lt $deadline ] || die "$name was not ready after $limit s (log: $LOGS/$name.log)"
    sleep 0.2
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
logged() { grep -q -- "$2" "$LOGS/$1.log"; }
vservices() { ax get vservices 2>/dev/null; }
reviews_is() { vservices | grep -E "^reviews\.default-9080 +$1 " ; }
reviews_split() { vservices | grep -E "^reviews\.default-9080 .* v1=80%.* v2=20%"; }
# reviews_backends: the reviews vservice names all three apps (pilot-lite saw them listen).
reviews_backends() {
  local line; line=$(vservices | grep -E "^reviews\.default-9080 ") || return 1
  for ip in 198.18.0.21 198.18.0.22 198.18.0.23; do grep -q "$ip:9080" <<<"$line" || return 1; done
}

# ready NAME DETAIL: one progress line, with the time since the start began.
ready() { printf '    %-24s %sready%s at %4.1f s  %s\n' "$1" "$G" "$N" "$(awk -v a="$T_START" -v b="$(date +%s%N)" 'BEGIN{print (b-a)/1e9}')" "$2"; }

# name version ip: the bookinfo programs, where Kubernetes would run the pods of bookinfo.yaml's
# Deployments, with their labels; pilot-lite makes them the Services' endpoints. Virtual IPs of
# 198.18.0.0/15 (RFC 2544's benchmarking range), which no real host holds.
APPS=("productpage v1 198.18.0.10" "details v1 198.18.0.11" "ratings v1 198.18.0.12"
      "reviews v1 198.18.0.21" "reviews v2 198.18.0.22" "reviews v3 198.18.0.23")

step "building and starting: the ax daemon, pilot-lite, the xDS agent and bookinfo under ax run"
"$ROOT/ci/install.sh" --prefix "$PREFIX" >"$LOGS/install.log" 2>&1 || die "ci/install.sh failed: $(tail -n 1 "$LOGS/install.log")"
note "ax installed in $PREFIX (run dir $RUN_DIR, Istio config dir $CONFIG)"
T_START=$(date +%s%N)
# The daemon, pilot-lite and the agent start at once (the agent retries until both answer); the
# apps once the daemon is up (ax run registers with it). Readiness is read from the logs (each
# line is written once the thing is serving), and checked with the CLI at the end.
cp "$SAMPLES/platform/kube/bookinfo.yaml" "$SAMPLES/networking/destination-rule-all.yaml" "$CONFIG/"
XDS_PORT=$(free_port)
# REST on a free port (the demo does not use it); DNS on NODE-IP:53, which apps' resolv.conf names.
# /metrics on a free port of loopback, read at the end.
METRICS_PORT=$(free_port)
start daemon ax daemon --run-dir "$RUN_DIR" --rest-port 0 --metrics-port "$METRICS_PORT" --outbound-traffic-policy REGISTRY_ONLY
DAEMON_PID=$STARTED
start pilot ax pilot --config "$CONFIG" --port "$XDS_PORT" --address 127.0.0.1 --metrics-port 0 --admin-socket "$AX_ADMIN"
PILOT_PID=$STARTED
start agent ax agent --pilot "127.0.0.1:$XDS_PORT" --admin-socket "$AX_ADMIN"
AGENT_PID=$STARTED
await 60 "$DAEMON_PID" daemon logged daemon "\[daemon\] node .* is up"
ready "ax daemon" "DNS on $(sed -n 's/^nameserver //p' "$RUN_DIR/resolv.conf"):53, admin API on $AX_ADMIN"
for app in "${APPS[@]}"; do
  read -r name version ip <<<"$app"
  start "$name-$version" ax run --ip "$ip" --name "$name-$version" --labels "app=$name,version=$version,zone=default" \
    -- python3 "$DEMO/services/$name.py" --port 9080 --version "$version"
  APP_PIDS+=("$STARTED")
done
await 60 "$PILOT_PID" pilot logged pilot "pilot-lite listening"
ready "pilot-lite (ax pilot)" "xDS on 127.0.0.1:$XDS_PORT, serving $CONFIG"
await 60 "$AGENT_PID" agent logged agent "\[agent\] pushed 4 vservices"
ready "xDS agent (ax agent)" "4 vservices pushed to the daemon"
for i in "${!APPS[@]}"; do
  read -r name version ip <<<"${APPS[$i]}"
  await 30 "${APP_PIDS[$i]}" "$name-$version" logged "$name-$version" "listening on port 9080"
done
SERVERS=$(ax get servers 2>&1) || die "ax get servers failed: $SERVERS"
for app in "${APPS[@]}"; do
  read -r name version ip <<<"$app"
  grep -q " $ip:9080 " <<<"$SERVERS" || die "$name-$version listens but the daemon has no server $ip:9080 (log: $LOGS/$name-$version.log)"
done
ready "bookinfo under ax run" "6 apps on port 9080 of their own IPs"
await 30 "$AGENT_PID" agent reviews_backends
ready "endpoints" "pilot-lite made the apps the Services' endpoints (no WorkloadEntry)"
# The apps' own pids too (the supervisors' children), for the check that nothing outlives the demo.
APP_OWN_PIDS=($(ax get apps -o json 2>/dev/null | sed -n 's/.*"pid": *"\{0,1\}\([0-9][0-9]*\).*/\1/p'))
[ ${#APP_OWN_PIDS[@]} -eq ${#APPS[@]} ] || die "ax get apps -o json lists ${#APP_OWN_PIDS[@]} app pids (expected ${#APPS[@]})"
WATCH_PIDS+=("${APP_OWN_PIDS[@]}")

# ---------------------------------------------------------------- the story
# requests N LABEL WHAT: N requests to productpage from a client under ax run; the chart on stdout,
# the counts in $PREFIX/counts-LABEL. Fails when a request failed.
COUNT_FILE=""
requests() {
  local n=$1 label=$2 what=$3
  COUNT_FILE="$PREFIX/counts-$label"
  cmd "ax run -- python3 bookinfo-demo/client.py --count $n"
  ax run -- python3 "$DEMO/client.py" --count "$n" --counts "$COUNT_FILE" >"$PREFIX/chart-$label" 2>"$LOGS/client-$label.log" \
    || die "the client under ax run failed: $(tail -n 1 "$LOGS/client-$label.log")"
  cat "$PREFIX/chart-$label"
  [ "$(count error)" -eq 0 ] || die "under $what $(count error) of $n requests to productpage failed ($(sed -n 's/^ *first error: //p' "$PREFIX/chart-$label"))"
  [ "$(count no-ratings)" -eq 0 ] || die "under $what $(count no-ratings) answers of reviews v2/v3 had no stars: ratings did not answer (log: $LOGS/ratings-v1.log)"
}
count() { awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print 0 }' "$COUNT_FILE"; }
counts_line() { printf 'v1=%s v2=%s v3=%s' "$(count v1)" "$(count v2)" "$(count v3)"; }

# apply FILE: what `kubectl apply -f` would do; pilot-lite serves the file within a second.
apply() {
  cmd "cp $SAMPLES_REL/$1 $CONFIG/    # kubectl apply -f $(basename "$1")"
  cp "$SAMPLES/$1" "$CONFIG/"
}

RR_COUNT=30
SPLIT_COUNT=30
[ "$MODE" = story ] || SPLIT_COUNT=100

step "the bookinfo programs, under ax run (no sidecar): each has its own IP, name and labels"
show ax get apps
step "the vservices the agent made of Istio's Services (pilot-lite -> ax agent -> ax daemon)"
show ax get vservices
if [ "$MODE" = story ]; then
  step "one request to productpage, by its Istio name: productpage calls details and reviews, reviews calls ratings"
  show ax run -- curl -sS "productpage.$SERVICES_DOMAIN:9080/productpage"
fi

step "$RR_COUNT requests to productpage: which reviews version answered (RoundRobin, Istio's default here)"
requests "$RR_COUNT" roundrobin RoundRobin
RR_RESULT=$(counts_line)
for v in v1 v2 v3; do
  [ "$(count $v)" -gt 0 ] || die "under RoundRobin $RR_COUNT requests reached $RR_RESULT (expected all three versions of reviews)"
done

step "the blog's step: the legacy DestinationPolicy reviews-random makes the reviews load balancer RANDOM"
apply kube/destination-policy-reviews.yaml
cmd "ax get vservices | grep reviews"
await 20 "$AGENT_PID" agent reviews_is Random
reviews_is Random

step "today's Istio: the DestinationRule reviews with loadBalancer RANDOM (it outranks the legacy policy)"
apply networking/destination-rule-reviews.yaml
cmd "rm $CONFIG/destination-policy-reviews.yaml    # the legacy policy goes"
rm "$CONFIG/destination-policy-reviews.yaml"
# The vservice stays Random throughout: wait for pilot-lite to have read both changes.
await 20 "$PILOT_PID" pilot grep -q "destination-policy-reviews.yaml removed" "$LOGS/pilot.log"
await 20 "$PILOT_PID" pilot grep -q "destination-rule-reviews.yaml: 1 object" "$LOGS/pilot.log"
await 20 "$AGENT_PID" agent reviews_is Random
show ax get vservices
requests 30 random Random
RANDOM_RESULT=$(counts_line)

step "the VirtualService reviews: 80% of connections to v1, 20% to v2"
apply networking/virtual-service-reviews-80-20.yaml
await 20 "$AGENT_PID" agent reviews_split
show ax get vservices
requests "$SPLIT_COUNT" split "the 80/20 VirtualService"
SPLIT_RESULT=$(counts_line)
V1_PCT=$((100 * $(count v1) / SPLIT_COUNT))
[ "$(count v3)" -eq 0 ] || die "under the 80/20 VirtualService $SPLIT_COUNT requests reached $SPLIT_RESULT (expected no v3)"
if [ "$MODE" = quick ]; then
  # Smooth weighted round robin makes it exactly 80%; the bounds leave room for a connect that
  # failed over or a stray connection, not for a split that is not applied.
  [ "$V1_PCT" -ge 65 ] && [ "$V1_PCT" -le 92 ] \
    || die "under the 80/20 VirtualService v1 answered $V1_PCT% of $SPLIT_COUNT requests ($SPLIT_RESULT; expected 65% to 92%)"
fi

step "Istio's TCP metrics of the daemon: connections to reviews, from the kernel's counters (no sidecar counted them)"
cmd "curl -s 127.0.0.1:$METRICS_PORT/metrics | grep '^istio_tcp_connections_opened_total{.*destination_service_name=\"reviews\"'    # labels trimmed"
SCRAPE=$(curl -sf "http://127.0.0.1:$METRICS_PORT/metrics") || die "the daemon's /metrics did not answer on 127.0.0.1:$METRICS_PORT"
REVIEWS_OPENED=$(python3 -c '
import re, sys
sums = {}
for line in sys.stdin:
    if not line.startswith("istio_tcp_connections_opened_total{"):
        continue
    labels = dict(re.findall(r"(\w+)=\"([^\"]*)\"", line.split("}")[0]))
    if labels.get("destination_service_name") == "reviews":
        key = (labels["source_workload"], labels["destination_service"], labels["destination_workload"], labels["destination_version"])
        sums[key] = sums.get(key, 0) + float(line.split()[-1])
for (src, svc, wl, v), n in sorted(sums.items(), key=lambda kv: kv[0][3]):
    print(f"istio_tcp_connections_opened_total{{reporter=\"source\",source_workload=\"{src}\",destination_service=\"{svc}\",destination_workload=\"{wl}\",destination_version=\"{v}\",...}} {n:.0f}")
' <<<"$SCRAPE")
printf '%s\n' "$REVIEWS_OPENED"
if [ "$MODE" = quick ]; then
  for v in v1 v2 v3; do
    grep -q "destination_version=\"$v\",...} [1-9]" <<<"$REVIEWS_OPENED" || die "the daemon's Istio metrics count no connection to reviews $v: $REVIEWS_OPENED"
  done
fi

step "stopping: the apps, the agent, pilot-lite and the daemon"
stop_all
[ -z "$(leftovers)" ] || exit 1   # the EXIT trap says what is left
note "stopped; no process, mount or network namespace left behind"
if [ "$MODE" = quick ]; then
  echo "$ME --quick: ok: RoundRobin $RR_RESULT; Random $RANDOM_RESULT; 80/20 $SPLIT_RESULT (v1 $V1_PCT% of $SPLIT_COUNT connections); nothing left behind"
fi
[ "$MODE" = quick ] || note "done in $SECONDS s"
