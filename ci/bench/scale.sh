#!/usr/bin/env bash
# The daemon at scale: two daemons side by side, interleaved round by round so that machine noise
# hits both alike.
#   - idle: a fresh daemon holding only the benchmark's server app and one vservice in front of it;
#   - loaded: the same, plus APPS real `ax run --ip IP -- sleep` apps (unique IPs, mesh-like
#     labels, each with its seccomp listener in the daemon) and VSERVICES vservices of 10
#     backends each over those apps (the LB mix of the JMH MeshFixture), loaded in one admin
#     VServices.Apply by io.ax.bench.scale.LoadVServices, as the xDS agent pushes.
# Each round reads, per daemon, the live heap (jcmd GC.run, then GC.heap_info's "used"), VmRSS
# and the thread count (/proc/PID/status), then runs connbench's sequential connects under
# `ax run` to the vservice bench-target (10.97.0.1:80 -> the server app), which in `loaded` is one
# entry among the VSERVICES: does the connect decision slow down with the table's size? Reports
# medians, loaded/idle ratios and the per-app and per-vservice cost; with --json the results
# contract of ci/bench/run.sh (suite "scale").
# Usage: ci/bench/scale.sh [--quick] [--json FILE]     (run as root; Markdown table on stdout)
#   default: 1,000 apps, 10,000 vservices, 5 rounds of 5,000 connects
#   --quick: 50 apps, 1,000 vservices, 1 round of 300 connects (a smoke run for CI, ~1 minute)
set -euo pipefail
ORIG=$PWD  # where a relative --json FILE is
cd "$(dirname "$0")/../.."
APPS=1000; VSERVICES=10000; ROUNDS=5; CONNS=5000; WARMUP=2000; MODE=full; JSON=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) APPS=50; VSERVICES=1000; ROUNDS=1; CONNS=300; WARMUP=300; MODE=quick ;;
    --json) [ $# -ge 2 ] || { echo "scale.sh: --json needs a file" >&2; exit 2; }; JSON=$(cd "$ORIG" && realpath -m "$2"); shift ;;
    *) echo "scale.sh: unknown argument '$1' (usage: ci/bench/scale.sh [--quick] [--json FILE])" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "scale.sh: run as root (ax run needs it)" >&2; exit 1; }
[ -f ax-cli/target/ax.jar ] && [ -x syscall-bridge/target/native/ax-run ] && [ -f benchmarks/target/benchmarks.jar ] || ci/build.sh >&2
JAVA=$(ci/find-java.sh)
JCMD=$(dirname "$JAVA")/jcmd
AXRUN="$PWD/syscall-bridge/target/native/ax-run"
BASE=$(mktemp -d /tmp/ax-scale.XXXXXX)
gcc -O2 -Wall -Wextra -Werror -o "$BASE/connbench" ci/bench/connbench.c
SERVER_IP=10.77.0.1; SERVER_PORT=9000; TARGET=10.97.0.1:80
# Server apps of both daemons bind node-ip:pool-port: disjoint pools, so the two never race for one.
IDLE_PORTS=52000-52999; LOADED_PORTS=53000-54999
IDLE_PID=""; LOADED_PID=""
SERVERS=(); APP_PIDS=()
NETNS_BEFORE=$(ip netns list | sort)

cleanup() {
  trap - INT TERM
  set +e # every step runs, whatever the one before returned
  # Apps first (their supervisors pass the signal to the app), then the daemons.
  # Never a bare `wait`: it would wait for every child, a daemon not yet killed too.
  local apps=("${APP_PIDS[@]}" "${SERVERS[@]}")
  if [ ${#apps[@]} -gt 0 ]; then kill "${apps[@]}" 2>/dev/null; wait "${apps[@]}" 2>/dev/null; fi
  # DAEMON is set as soon as start_daemon launches one: a Ctrl-C during its start finds it there.
  local daemons=()
  for p in "$IDLE_PID" "$LOADED_PID" "${DAEMON:-}"; do [ -n "$p" ] && daemons+=("$p"); done
  if [ ${#daemons[@]} -gt 0 ]; then kill "${daemons[@]}" 2>/dev/null; wait "${daemons[@]}" 2>/dev/null; fi
  [ "$(ip netns list | sort)" = "$NETNS_BEFORE" ] || echo "scale.sh: named network namespaces changed during the run: $(ip netns list | tr '\n' ' ')" >&2
  ! grep -q "$BASE" /proc/mounts || echo "scale.sh: mounts under $BASE are left: $(grep "$BASE" /proc/mounts | cut -d' ' -f2 | tr '\n' ' ')" >&2
  if [ -n "${AX_SCALE_KEEP:-}" ]; then echo "scale.sh: logs kept in $BASE" >&2; else rm -rf "$BASE"; fi
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=ci/bench/lib.sh
. ci/bench/lib.sh
fail() { echo "scale.sh: $*" >&2; exit 1; }
rest() { curl -sf "http://127.0.0.1:$1/appswitch/v1/$2"; }
count() { # $1 rest port, $2 resource: how many the daemon lists
  rest "$1" "$2" | python3 -c "import json,sys; print(len(json.load(sys.stdin).get('$2', [])))"
}
# start_daemon (lib.sh) runs a daemon on $WORK/run and $REST_PORT; one directory per daemon.
start() { # $1 name, $2 port pool; prints nothing, sets ${NAME}_PID, _REST, _RUN
  WORK="$BASE/$1"; mkdir -p "$WORK"; REST_PORT=$(free_port)
  start_daemon --dns=false --ports "$2" --node-name "scale-$1"
  printf -v "${1^^}_PID" %s "$DAEMON"; printf -v "${1^^}_REST" %s "$REST_PORT"; printf -v "${1^^}_RUN" %s "$WORK/run"
}
await_server() { # $1 rest port: the server app's listen is in the service table
  for _ in $(seq 1 150); do
    rest "$1" servers | grep -q "\"ip\":\"$SERVER_IP\",\"port\":$SERVER_PORT" && return 0
    sleep 0.1
  done
  fail "the server app did not listen on $SERVER_IP:$SERVER_PORT (daemon log in $BASE)"
}
load() { # $1 run dir, $2 count, $3 apps: prints apply_ms
  "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp benchmarks/target/benchmarks.jar \
    io.ax.bench.scale.LoadVServices "$1/admin.sock" "$2" "$3" "$SERVER_IP" "$SERVER_PORT" | sed -n 's/^apply_ms=\([0-9.]*\) .*/\1/p'
}

# One memory reading of a daemon, after a full GC (jcmd GC.run): the heap that survives it
# (G1 prints "garbage-first heap ... used NK"), and RSS and threads then, since a full GC also
# gives back heap the JVM had committed while loading, which would otherwise swing the RSS.
reading() { # $1 pid: prints "RSS_MIB HEAP_MIB THREADS"
  local rss threads heap
  "$JCMD" "$1" GC.run >/dev/null
  heap=$("$JCMD" "$1" GC.heap_info | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -1)
  [ -n "$heap" ] || fail "no heap size in jcmd $1 GC.heap_info"
  rss=$(awk '/^VmRSS:/ {print $2 / 1024}' "/proc/$1/status")
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$1/status")
  echo "$rss $(python3 -c "print($heap / 1024)") $threads"
}
memory() { # $1 label, $2 pid: appends the samples of one round
  local r; read -ra r <<<"$(reading "$2")"
  [ ${#r[@]} -eq 3 ] || exit 1
  printf 'rss_mib %s %s\nheap_live_mib %s %s\nthreads %s %s\n' "$1" "${r[0]}" "$1" "${r[1]}" "$1" "${r[2]}" >>"$BASE/samples.txt"
}

echo "==> $MODE: starting two daemons (idle, loaded); $APPS apps and $VSERVICES vservices go to loaded" >&2
start idle "$IDLE_PORTS"
start loaded "$LOADED_PORTS"
for d in IDLE LOADED; do
  run_var="${d}_RUN"
  AX_RUN_DIR=${!run_var} "$AXRUN" --ip "$SERVER_IP" --name bench-server --labels app=bench-server,version=v1,zone=default \
    -- "$BASE/connbench" server "$SERVER_PORT" >>"$BASE/server.log" 2>&1 & SERVERS+=($!)
done
await_server "$IDLE_REST"; await_server "$LOADED_REST"
IDLE_APPLY_MS=$(load "$IDLE_RUN" 1 0)
[ -n "$IDLE_APPLY_MS" ] || fail "loading the idle daemon's vservice failed"

echo "==> starting $APPS apps under ax run, all at once" >&2
# All at once, as a node's start or a rollout does: the daemon batches their state writes
# (ci/bench/register.sh measures such a burst against 10,000 vservices).
t0=$(date +%s.%N)
for i in $(seq 0 $((APPS - 1))); do
  # Mesh-like labels: a service name shared by three workloads, a version, the default zone.
  AX_RUN_DIR=$LOADED_RUN "$AXRUN" --ip "10.1.$((i / 256)).$((i % 256))" --name "app-$i" \
    --labels "app=svc-$((i / 3)),version=v$((i % 3 + 1)),zone=default" -- sleep 86400 >/dev/null 2>>"$BASE/apps.log" &
  APP_PIDS+=($!)
done
want=$((APPS + 1)) # the apps and the server app
for _ in $(seq 1 600); do
  have=$(count "$LOADED_REST" apps)
  [ "$have" -ge "$want" ] && break
  [ ! -s "$BASE/apps.log" ] || fail "an ax run gave up: $(head -1 "$BASE/apps.log") (all app errors in $BASE/apps.log)"
  sleep 0.1
done
[ "$have" -ge "$want" ] || fail "the loaded daemon lists $have apps, not $want, 60 s after starting them (app errors in $BASE/apps.log)"
APPS_S=$(python3 -c "import time; print(f'{time.time() - $t0:.2f}')")
echo "    $APPS apps registered in ${APPS_S}s" >&2
# Once between the two loads, so the cost splits into apps and vservices.
IDLE_AT_APPS=$(reading "$IDLE_PID"); LOADED_AT_APPS=$(reading "$LOADED_PID")

echo "==> applying $VSERVICES vservices to the loaded daemon" >&2
LOADED_APPLY_MS=$(load "$LOADED_RUN" "$VSERVICES" "$APPS")
[ -n "$LOADED_APPLY_MS" ] || fail "loading $VSERVICES vservices failed"
have=$(count "$LOADED_REST" vservices)
[ "$have" -eq "$VSERVICES" ] || fail "the loaded daemon lists $have vservices, not $VSERVICES"
have=$(count "$LOADED_REST" apps)
[ "$have" -eq "$want" ] || fail "the loaded daemon lists $have apps, not $want"
[ "$(count "$IDLE_REST" vservices)" -eq 1 ] || fail "the idle daemon does not list exactly one vservice"

connects() { # $1 label, $2 run dir, $3 connects, [$4 "record"]
  local out
  out=$(AX_RUN_DIR=$2 "$AXRUN" -- "$BASE/connbench" client "${TARGET%:*}" "${TARGET#*:}" "$3") || fail "connbench against $1 failed: $out"
  [ "${4:-}" = record ] || return 0
  for f in p50_us p99_us cps; do
    echo "connect_$f $1 $(echo "$out" | sed -n "s/.* $f=\([0-9.]*\).*/\1/p")" >>"$BASE/samples.txt"
  done
}

echo "==> warm-up: $WARMUP connects on each daemon" >&2
connects idle "$IDLE_RUN" "$WARMUP"; connects loaded "$LOADED_RUN" "$WARMUP"
for r in $(seq 1 "$ROUNDS"); do
  echo "==> round $r/$ROUNDS: memory, then $CONNS connects on each daemon" >&2
  memory idle "$IDLE_PID"; memory loaded "$LOADED_PID"
  # Alternate which daemon goes first, so neither always runs right after a full GC.
  if [ $((r % 2)) = 1 ]; then
    connects idle "$IDLE_RUN" "$CONNS" record; connects loaded "$LOADED_RUN" "$CONNS" record
  else
    connects loaded "$LOADED_RUN" "$CONNS" record; connects idle "$IDLE_RUN" "$CONNS" record
  fi
done

"$JCMD" "$LOADED_PID" GC.class_histogram 2>/dev/null | sed -n '4,13p' | awk '{printf "%s (%.1f MiB); ", $4, $3 / 1048576}' >"$BASE/histogram.txt" || true
# The cost of one app: the apps-only reading over the idle one; of one vservice: the rest of the
# median (loaded - idle) difference of the rounds. In KiB.
COSTS=$(python3 - "$BASE/samples.txt" "$IDLE_AT_APPS" "$LOADED_AT_APPS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
idle0, apps0 = [list(map(float, a.split())) for a in sys.argv[2:4]]
out = []
for i, m in enumerate(("rss_mib", "heap_live_mib")):
    v = {lab: [float(x) for mm, l, x in rows if mm == m and l == lab] for lab in ("idle", "loaded")}
    total = statistics.median(b - a for a, b in zip(v["idle"], v["loaded"])) * 1024
    apps = (apps0[i] - idle0[i]) * 1024
    out += [apps, total - apps]
print(" ".join(f"{x:.0f}" for x in out))
PY
)
read -r RSS_APPS_KIB RSS_VS_KIB HEAP_APPS_KIB HEAP_VS_KIB <<<"$COSTS"
python3 - "$BASE/spec.json" <<PY
import json, sys
spec = {
  "suite": "scale",
  "title": "The daemon at scale: $APPS apps and $VSERVICES vservices",
  "description": ("Two daemons side by side (--dns=false, own run directory and REST port). idle holds only the "
    "benchmark's server app (connbench server under ax run) and one vservice in front of it; loaded holds the same "
    "plus $APPS real 'ax run --ip IP -- sleep' apps (unique IPs, mesh-like labels, each with its seccomp listener "
    "in the daemon) and $VSERVICES vservices of 10 backends each over those apps (Random, RoundRobin, LeastConn, "
    "ConsistentHash in turn), loaded with one admin VServices.Apply. Each round reads, after a full GC (jcmd GC.run), every "
    "daemon's live heap (GC.heap_info), VmRSS and thread count, then runs $CONNS sequential connects of connbench under "
    "ax run to the vservice bench-target, one among the $VSERVICES in loaded; daemons alternate going first."),
  "config": {"mode": "$MODE", "apps": $APPS, "vservices": $VSERVICES, "backends_per_vservice": 10, "rounds": $ROUNDS,
             "connects_per_round": $CONNS, "warmup_connects": $WARMUP,
             "apply_ms_loaded": $LOADED_APPLY_MS, "apply_ms_idle_one_vservice": $IDLE_APPLY_MS,
             "app_starts_s": $APPS_S, "app_start_ms_each": round($APPS_S * 1000 / $APPS, 2), "app_start_batch": $APPS,
             "after_apps_before_vservices_rss_heap_threads": {"idle": "$IDLE_AT_APPS", "loaded": "$LOADED_AT_APPS"}},
  "baseline": "idle",
  "labels": ["idle", "loaded"],
  "measures": [
    {"id": "rss_mib", "name": "daemon RSS", "unit": "MiB", "better": None},
    {"id": "heap_live_mib", "name": "live heap after a full GC", "unit": "MiB", "better": None},
    {"id": "threads", "name": "daemon threads", "unit": "threads", "better": None},
    {"id": "connect_p50_us", "name": "connect() latency p50", "unit": "µs", "better": "lower"},
    {"id": "connect_p99_us", "name": "connect() latency p99", "unit": "µs", "better": "lower"},
    {"id": "connect_cps", "name": "sequential connections per second", "unit": "conn/s", "better": "higher"},
  ],
  "notes": [
    "Applying $VSERVICES vservices (one Apply) took $LOADED_APPLY_MS ms; starting $APPS apps until the daemon listed them all took $APPS_S s.",
    "Cost per app, read once after the apps started and before the vservices (loaded - idle, / $APPS): "
    "RSS {:.1f} KiB, live heap {:.1f} KiB. Cost per vservice, the rest of the rounds' median (loaded - idle), / $VSERVICES: "
    "RSS {:.2f} KiB, live heap {:.2f} KiB.".format($RSS_APPS_KIB / $APPS, $HEAP_APPS_KIB / $APPS, $RSS_VS_KIB / $VSERVICES, $HEAP_VS_KIB / $VSERVICES),
    "Threads: $(echo "$IDLE_AT_APPS" | cut -d' ' -f3) in idle, $(echo "$LOADED_AT_APPS" | cut -d' ' -f3) in loaded with $APPS apps and no vservices yet.",
    "Top of the loaded daemon's heap histogram (jcmd GC.class_histogram): " + open("$BASE/histogram.txt").read().strip().rstrip(";"),
  ],
}
json.dump(spec, open(sys.argv[1], "w"))
PY
python3 ci/bench/samples.py "$BASE/spec.json" "$BASE/samples.txt" ${JSON:+--json "$JSON"}
