#!/usr/bin/env bash
# A burst of registrations: APPS `ax run --ip IP -- sleep` launchers started at once against one
# daemon that already holds VSERVICES vservices (loaded in one admin VServices.Apply by
# io.ax.bench.scale.LoadVServices, as scale.sh does). Measures how long until the daemon has
# registered them all, and how many launchers gave up instead ("did not answer the registration").
# Each round starts a fresh daemon per build; with several builds (LABEL=JAR arguments) the rounds
# interleave them and alternate which goes first, so machine noise hits all alike.
# Usage: ci/bench/register.sh [--apps N] [--vservices M] [--rounds R] [--json FILE] [LABEL=JAR ...]
#   default: 1,000 apps, 10,000 vservices, 3 rounds, one build: ax=ax-cli/target/ax.jar
#   (run as root; Markdown table on stdout, progress on stderr; AX_REGISTER_KEEP=1 keeps the logs)
set -euo pipefail
cd "$(dirname "$0")/../.."
APPS=1000; VSERVICES=10000; ROUNDS=3; JSON=""; BUILDS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --apps) APPS=$2; shift ;;
    --vservices) VSERVICES=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --json) JSON=$2; shift ;;
    *=*) BUILDS+=("$1") ;;
    *) echo "register.sh: unknown argument '$1' (usage: ci/bench/register.sh [--apps N] [--vservices M] [--rounds R] [--json FILE] [LABEL=JAR ...])" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "register.sh: run as root (ax run needs it)" >&2; exit 1; }
[ -f ax-cli/target/ax.jar ] && [ -x syscall-bridge/target/native/ax-run ] && [ -f benchmarks/target/benchmarks.jar ] || ci/build.sh >&2
[ ${#BUILDS[@]} -gt 0 ] || BUILDS=("ax=$PWD/ax-cli/target/ax.jar")
JAVA=$(ci/find-java.sh)
AXRUN="$PWD/syscall-bridge/target/native/ax-run"
BASE=$(mktemp -d /tmp/ax-register.XXXXXX)
APP_PIDS=(); DAEMON=""
# A launcher that gives up does so after its 10 s reply timeout; a minute is a stuck daemon.
DEADLINE_S=60

cleanup() {
  trap - INT TERM
  set +e
  stop_all
  if [ -n "${AX_REGISTER_KEEP:-}" ]; then echo "register.sh: logs kept in $BASE" >&2; else rm -rf "$BASE"; fi
  return 0
}
stop_all() { # apps first (their supervisors pass the signal on), then the daemon
  if [ ${#APP_PIDS[@]} -gt 0 ]; then kill "${APP_PIDS[@]}" 2>/dev/null; wait "${APP_PIDS[@]}" 2>/dev/null || true; fi
  APP_PIDS=()
  if [ -n "$DAEMON" ]; then kill "$DAEMON" 2>/dev/null; wait "$DAEMON" 2>/dev/null || true; fi
  DAEMON=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "register.sh: $*" >&2; exit 1; }
cpu_s() { # $1 pid: its user + system CPU seconds so far
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])'; }

one() { # $1 label, $2 jar, $3 round: appends "label seconds registered gave_up" to samples
  local work="$BASE/$1-$3" rest t0 t1 have gaveup
  mkdir -p "$work"; rest=$(free_port)
  "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar "$2" \
    daemon --run-dir "$work/run" --rest-port "$rest" --metrics-port "$(free_port)" --outbound-traffic-policy REGISTRY_ONLY --dns=false --node-name "register-$1" >>"$work/daemon.log" 2>&1 &
  DAEMON=$!
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$rest/appswitch/v1/nodes" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$rest/appswitch/v1/nodes" >/dev/null || fail "$1: the daemon did not start (log $work/daemon.log)"
  "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp benchmarks/target/benchmarks.jar \
    io.ax.bench.scale.LoadVServices "$work/run/admin.sock" "$VSERVICES" "$APPS" 10.77.0.1 9000 >/dev/null 2>>"$work/load.log" \
    || fail "$1: loading $VSERVICES vservices failed: $(tail -1 "$work/load.log")"
  local cpu0; cpu0=$(cpu_s "$DAEMON")
  t0=$(date +%s.%N)
  for i in $(seq 0 $((APPS - 1))); do
    AX_RUN_DIR=$work/run "$AXRUN" --ip "10.1.$((i / 256)).$((i % 256))" --name "app-$i" \
      --labels "app=svc-$((i / 3)),version=v$((i % 3 + 1)),zone=default" -- sleep 600 >/dev/null 2>>"$work/apps.log" &
    APP_PIDS+=($!)
  done
  local spawned; spawned=$(python3 -c "import time; print(f'{time.time() - $t0:.2f}')")
  # Done when every launcher has either registered (the daemon logs it) or given up (it prints
  # one line); the log is read, not the REST API, so that watching adds no load to the daemon.
  while :; do
    have=$(grep -c 'registered by pid' "$work/daemon.log" || true)
    gaveup=$(grep -c . "$work/apps.log" || true)
    [ $((have + gaveup)) -ge "$APPS" ] && break
    [ "$(python3 -c "import time; print(int(time.time() - $t0 > $DEADLINE_S))")" = 0 ] || break
    sleep 0.05
  done
  t1=$(date +%s.%N)
  local cpu; cpu=$(python3 -c "print(f'{$(cpu_s "$DAEMON") - $cpu0:.2f}')")
  have=$(curl -sf "http://127.0.0.1:$rest/appswitch/v1/apps" | python3 -c "import json,sys; print(len(json.load(sys.stdin).get('apps', [])))")
  local secs; secs=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
  echo "    $1 round $3: $have of $APPS registered, $gaveup gave up, ${secs}s (the launchers were all started after ${spawned}s); daemon CPU ${cpu}s" >&2
  [ "$gaveup" = 0 ] || echo "      first refusal: $(head -1 "$work/apps.log")" >&2
  echo "$1 $secs $have $gaveup $(python3 -c "print(f'{$secs - $spawned:.2f}')") $cpu" >>"$BASE/samples.txt"
  stop_all
}

echo "==> $APPS ax run launchers at once against a daemon with $VSERVICES vservices; $ROUNDS rounds of: ${BUILDS[*]}" >&2
for r in $(seq 1 "$ROUNDS"); do
  order=("${BUILDS[@]}")
  if [ $((r % 2)) = 0 ]; then # alternate who goes first
    order=(); for ((k = ${#BUILDS[@]} - 1; k >= 0; k--)); do order+=("${BUILDS[k]}"); done
  fi
  for b in "${order[@]}"; do one "${b%%=*}" "${b#*=}" "$r"; done
done

python3 - "$BASE/samples.txt" "$APPS" "$VSERVICES" "$ROUNDS" "$JSON" "${BUILDS[@]%%=*}" <<'PY'
import json, statistics, sys
samples, apps, vservices, rounds, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
labels = sys.argv[6:]
rows = [l.split() for l in open(samples)]
col = lambda lab, i: [float(r[i]) for r in rows if r[0] == lab]
print("| build | burst (s) | after the last launch (s) | daemon CPU (s) | registered, min | gave up, max |")
print("|---|---|---|---|---|---|")
med = lambda lab, i: statistics.median(col(lab, i))
for lab in labels:
    print(f"| {lab} | {med(lab, 1):.2f} | {med(lab, 4):.2f} | {med(lab, 5):.2f} | {min(col(lab, 2)):.0f} of {apps} | {max(col(lab, 3)):.0f} |")
print("\nmedians over the rounds; the burst ends when every launcher has registered or given up")
if len(labels) > 1:
    base = labels[0]
    for lab in labels[1:]:
        for i, what in ((1, "burst time"), (5, "daemon CPU")):
            ratios = [b / a for a, b in zip(col(base, i), col(lab, i))]
            print(f"{lab}/{base} {what}, median of per-round ratios: {statistics.median(ratios):.3f}")
if out:
    spec = {
        "suite": "register",
        "title": f"A burst of {apps} ax run registrations",
        "description": (f"{apps} 'ax run --ip IP -- sleep' launchers started at once against a fresh daemon "
            f"(--dns=false) holding {vservices} vservices loaded in one admin VServices.Apply; the time from the first "
            "launch until every launcher has registered or given up, and how many registered."),
        "config": {"apps": apps, "vservices": vservices, "rounds": rounds},
        "baseline": labels[0] if len(labels) > 1 else None,
        "labels": labels,
        "measures": [
            {"id": "burst_s", "name": f"{apps} registrations at once", "unit": "s", "better": "lower",
             "samples": {lab: col(lab, 1) for lab in labels}},
            {"id": "tail_s", "name": "registering after the last launch", "unit": "s", "better": "lower",
             "samples": {lab: col(lab, 4) for lab in labels}},
            {"id": "daemon_cpu_s", "name": "daemon CPU during the burst", "unit": "CPU s", "better": "lower",
             "samples": {lab: col(lab, 5) for lab in labels}},
            {"id": "registered", "name": "apps registered", "unit": "apps", "better": "higher",
             "samples": {lab: col(lab, 2) for lab in labels}},
        ],
        "notes": [],
    }
    json.dump(spec, open(out, "w"), indent=1)
PY
