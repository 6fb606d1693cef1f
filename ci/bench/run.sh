#!/usr/bin/env bash
# The benchmark suite, one command: runs every part below, then ci/bench/report.py writes
# RESULTS.md and the PNG charts from the parts' JSON results.
#
#   jmh           JMH microbenchmarks of the hot paths (connect decision, LB picks, sockaddr, DNS)
#   translate     xDS translation of 10,000 services / 100,000 endpoints: time and memory
#   dns           the daemon's DNS server against dnsmasq (dnsperf)
#   datapath      native vs ax vs HAProxy on the path: iperf3, wrk, connection setup, daemon CPU
#   scale         the daemon with 1,000 apps and 10,000 vservices: memory, connect latency
#   controlplane  pilot-lite change to enforced decision, at 10,000 services
#   cluster       3, 10 and 30 daemons in one cluster: convergence, failure purge, idle cost
#   federation    two clusters' gateways against two HAProxies on the same path: iperf3, new connections
#   metrics       connect latency and daemon CPU with /metrics off and on, interleaved
#   sendmsg       send and sendmsg on a connected TCP socket, native vs ax, and trapped sendmsg
#
# Usage: ci/bench/run.sh [--quick] [--out DIR] [--only PART[,PART...]]
#   default   the full suite (about 20 minutes on 2 cores), written to docs/bench/
#   --quick   every part once with tiny sizes (a few minutes), written to target/bench-quick/;
#             CI runs it to keep the suite working, with no thresholds: its numbers mean nothing
#   --only    just these parts; the other parts' results in DIR stay and are reported again
# Needs root (network namespaces, the daemon) and the packages of `ci/install-deps.sh --bench`.
# A part that fails does not stop the others; the run then ends with one line naming it, exit 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
ALL=(jmh translate dns datapath scale controlplane cluster federation metrics sendmsg)
QUICK=""; OUT=""; ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=--quick ;;
    --out) OUT=${2:?--out needs a DIR}; shift ;;
    --only) ONLY=${2:?--only needs PART[,PART...]}; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ci/bench/run.sh: unknown argument '$1' (expected --quick, --out DIR or --only PARTS)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$OUT" ] || { [ -n "$QUICK" ] && OUT=target/bench-quick || OUT=docs/bench; }
PARTS=("${ALL[@]}")
if [ -n "$ONLY" ]; then
  IFS=, read -r -a PARTS <<<"$ONLY"
  for p in "${PARTS[@]}"; do
    [[ " ${ALL[*]} " == *" $p "* ]] || { echo "ci/bench/run.sh: unknown part '$p' (expected one of: ${ALL[*]})" >&2; exit 2; }
  done
fi
[ "$(id -u)" -eq 0 ] || { echo "ci/bench/run.sh: needs root (network namespaces and the daemon)" >&2; exit 2; }
for tool in haproxy wrk nginx iperf3 dnsperf dnsmasq gcc curl dig; do
  command -v "$tool" >/dev/null || PATH="$PATH:/usr/sbin" command -v "$tool" >/dev/null \
    || { echo "ci/bench/run.sh: $tool is missing; run ci/install-deps.sh --bench" >&2; exit 2; }
done
# The charts need Debian's matplotlib, so the report runs on Debian's python3 (not one on PATH first).
REPORT_PY=/usr/bin/python3
"$REPORT_PY" -c 'import matplotlib' 2>/dev/null || { echo "ci/bench/run.sh: python3-matplotlib is missing; run ci/install-deps.sh --bench" >&2; exit 2; }

mkdir -p "$OUT"
OUT=$(realpath "$OUT")
LOGS=$(mktemp -d /tmp/ax-bench-logs.XXXXXX)
if [ -z "$ONLY" ]; then
  rm -f "$OUT"/*.json "$OUT"/*.png "$OUT/RESULTS.md"
elif [ -f "$OUT/run.json" ] && [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("quick", False))' "$OUT/run.json")" != "$([ -n "$QUICK" ] && echo True || echo False)" ]; then
  # One report of quick and full results side by side would read as one run.
  echo "ci/bench/run.sh: $OUT holds $([ -n "$QUICK" ] && echo full || echo quick) results; --only adds to them only in the same mode (or use --out)" >&2
  exit 2
fi
# Build once, up front, so that no part's timing includes a build.
if [ ! -f ax-cli/target/ax.jar ] || [ ! -x syscall-bridge/target/native/ax-run ] || [ ! -f benchmarks/target/benchmarks.jar ]; then
  echo "==> building ax" >&2
  ci/build.sh >"$LOGS/build.log" 2>&1 || { echo "ci/bench/run.sh: the build failed; log: $LOGS/build.log" >&2; exit 1; }
fi

part_command() { # $1: part, $2: JSON file
  case "$1" in
    jmh)
      if [ -n "$QUICK" ]; then ci/bench/jmh.sh --quick -prof gc -rf json -rff "$2"
      else ci/bench/jmh.sh -f 1 -wi 3 -i 5 -prof gc -rf json -rff "$2"; fi ;;
    translate) ci/bench/translate.sh $QUICK --json "$2" ;;
    dns) ci/bench/dns.sh $QUICK --json "$2" ;;
    datapath) ci/bench/datapath.sh $QUICK --json "$2" ;;
    scale) ci/bench/scale.sh $QUICK --json "$2" ;;
    controlplane) ci/bench/xds.sh $QUICK --json "$2" ;;
    cluster) ci/bench/cluster.sh $QUICK --json "$2" ;;
    federation) ci/bench/federation.sh $QUICK --json "$2" ;;
    metrics) ci/bench/metrics.sh $QUICK --json "$2" ;;
    sendmsg) ci/bench/sendmsg.sh $QUICK --json "$2" ;;
  esac
}

START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
STATUS=()
i=0
for p in "${PARTS[@]}"; do
  i=$((i + 1))
  echo "==> [$i/${#PARTS[@]}] $p (log: $LOGS/$p.log)" >&2
  rm -f "$OUT/$p.json"
  t0=$(date +%s)
  set +e
  part_command "$p" "$OUT/$p.json" 2>&1 | tee "$LOGS/$p.log" | sed -u 's/^/    /' >&2
  rc=${PIPESTATUS[0]}
  set -e
  secs=$(($(date +%s) - t0))
  if [ "$rc" -ne 0 ]; then
    STATUS+=("$p failed:$rc:$secs")
    echo "==> $p failed (exit $rc) after ${secs}s; log: $LOGS/$p.log" >&2
  elif [ ! -s "$OUT/$p.json" ]; then
    STATUS+=("$p no-results:0:$secs")
    echo "==> $p wrote no results after ${secs}s; log: $LOGS/$p.log" >&2
  else
    STATUS+=("$p ok:0:$secs")
    echo "==> $p done in ${secs}s" >&2
  fi
done

# What the report says about the run itself.
python3 - "$OUT/run.json" "$QUICK" "$START" "$LOAD_START" "$LOGS" "${STATUS[@]}" <<'PY'
import json, os, platform, subprocess, sys, time
out, quick, start, load_start, logs, *status = sys.argv[1:]
def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return "unknown"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
try:
    java = subprocess.run([sh("ci/find-java.sh"), "-version"], capture_output=True, text=True).stderr.splitlines()[0]
except Exception:
    java = "unknown"
dirty = " (with uncommitted changes)" if sh("git", "status", "--porcelain", "--untracked-files=no") else ""
old = json.load(open(out)) if os.path.exists(out) else {}
parts = {p["suite"]: p for p in old.get("parts", [])}
for s in status:
    name, rest = s.split(" ", 1)
    state, rc, secs = rest.split(":")
    parts[name] = {"suite": name, "status": state, "seconds": int(secs), "log": f"{logs}/{name}.log",
                   "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(start))), "commit": sh("git", "rev-parse", "--short", "HEAD") + dirty}
order = ["jmh", "translate", "dns", "datapath", "scale", "controlplane", "cluster", "federation", "metrics", "sendmsg"]
run = {
    "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(start))),
    "commit": sh("git", "rev-parse", "--short", "HEAD") + dirty,
    "machine": f"{os.cpu_count()} CPUs, {mem / 2**20:.0f} GiB",
    "cpu": cpu,
    "kernel": platform.release(),
    "java": java,
    "load average at start": load_start,
    "load average at end": " ".join(open("/proc/loadavg").read().split()[:3]),
    "duration": f"{(time.time() - int(start)) / 60:.1f} min" + (" (quick mode)" if quick else ""),
    "quick": bool(quick),
    "parts": sorted(parts.values(), key=lambda p: order.index(p["suite"])),
}
json.dump(run, open(out, "w"), indent=1)
PY
"$REPORT_PY" ci/bench/report.py "$OUT"
FAILED=$(printf '%s\n' "${STATUS[@]}" | awk -F'[ :]' '$2 != "ok" {printf "%s%s", sep, $1; sep=", "}')
echo "==> results: $OUT/RESULTS.md ($(( ($(date +%s) - START) / 60 )) min)" >&2
if [ -n "$FAILED" ]; then
  echo "ci/bench/run.sh: failed: $FAILED (logs in $LOGS)" >&2
  exit 1
fi
