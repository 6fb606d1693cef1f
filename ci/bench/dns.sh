#!/usr/bin/env bash
# DNS benchmark: queries per second for local names, the ax daemon's DNS server against dnsmasq
# answering the same 100 names on the same machine, measured with dnsperf, interleaved round by
# round. Prints a Markdown table with medians and the ax/dnsmasq ratio; with --json FILE it also
# writes the results for ci/bench/report.py (the format is described there).
# Usage: ci/bench/dns.sh [--quick] [--json FILE]      (run as root)
set -euo pipefail
ORIG=$PWD
cd "$(dirname "$0")/../.."
ROUNDS=3; SECONDS_EACH=10; NAMES=100; JSON=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ROUNDS=1; SECONDS_EACH=2 ;;
    --json) JSON=$(cd "$ORIG" && realpath -m "${2:?--json needs a FILE}"); shift ;;
    *) echo "ci/bench/dns.sh: unknown argument '$1' (expected --quick or --json FILE)" >&2; exit 2 ;;
  esac
  shift
done

[ -f ax-cli/target/ax.jar ] || ci/build.sh
WORK=$(mktemp -d /tmp/ax-dnsbench.XXXXXX)
JAVA=$(ci/find-java.sh)
DAEMON=""; DNSMASQ=""
# shellcheck source=ci/bench/lib.sh
. ci/bench/lib.sh
cleanup() {
  local rc=$?
  [ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null || true
  [ -n "$DNSMASQ" ] && kill "$DNSMASQ" 2>/dev/null || true
  wait 2>/dev/null || true
  remove_work_unless_failed "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
REST_PORT=$(free_port)
start_daemon
NODE_IP=$(node_ip)

echo "==> $NAMES names in ax (vservices) and in dnsmasq (a hosts file)" >&2
: >"$WORK/hosts"; : >"$WORK/queries"
for i in $(seq 1 "$NAMES"); do
  ip="10.200.$((i / 256)).$((i % 256))"
  curl -sf -X POST -H "Authorization: Bearer $(cat "$WORK/run/rest.token")" "http://127.0.0.1:$REST_PORT/appswitch/v1/oper/createvirtualservice" \
    -d "{\"name\":\"svc-$i\",\"ip\":\"$ip\",\"ports\":[{\"extport\":80}]}" >/dev/null
  echo "$ip svc-$i.appswitch.local" >>"$WORK/hosts"
  echo "svc-$i.appswitch.local A" >>"$WORK/queries"
done
DNSMASQ_PORT=$(free_port)
dnsmasq --keep-in-foreground --user=root --no-resolv --no-hosts --addn-hosts="$WORK/hosts" --bind-interfaces \
  --listen-address="$NODE_IP" --port="$DNSMASQ_PORT" --cache-size=1000 --pid-file="$WORK/dnsmasq.pid" >"$WORK/dnsmasq.log" 2>&1 &
DNSMASQ=$!
for _ in $(seq 1 50); do [ -n "$(dig +short +time=1 +tries=1 @"$NODE_IP" -p "$DNSMASQ_PORT" svc-1.appswitch.local || true)" ] && break; sleep 0.2; done
[ -n "$(dig +short @"$NODE_IP" svc-1.appswitch.local)" ] || { echo "ax does not answer svc-1" >&2; exit 1; }
[ -n "$(dig +short @"$NODE_IP" -p "$DNSMASQ_PORT" svc-1.appswitch.local)" ] || { echo "dnsmasq does not answer svc-1; log: $(cat "$WORK/dnsmasq.log")" >&2; exit 1; }

qps() { dnsperf -s "$NODE_IP" -p "$1" -d "$WORK/queries" -l "$SECONDS_EACH" -c 4 -q 200 2>/dev/null | sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p'; }
measure() { # $1: label, $2: port
  local q; q=$(qps "$2")
  [ -n "$q" ] || { echo "dnsperf gave no result against $1" >&2; exit 1; }
  echo "$1 $q" >>"$WORK/qps.txt"
}
for r in $(seq 1 "$ROUNDS"); do
  echo "==> round $r/$ROUNDS" >&2
  # Alternate who goes first, so that neither always runs on a warmer (or busier) machine.
  if [ $((r % 2)) -eq 1 ]; then measure ax 53; measure dnsmasq "$DNSMASQ_PORT"
  else measure dnsmasq "$DNSMASQ_PORT"; measure ax 53; fi
done
AX=$(awk '$1=="ax" {print $2}' "$WORK/qps.txt" | median)
DM=$(awk '$1=="dnsmasq" {print $2}' "$WORK/qps.txt" | median)
cat <<TABLE
| local names, dnsperf ${SECONDS_EACH}s x $ROUNDS rounds | ax | dnsmasq | ax/dnsmasq |
|---|---|---|---|
| queries per second (median) | $(python3 -c "print(f'{$AX:.0f}')") | $(python3 -c "print(f'{$DM:.0f}')") | $(python3 -c "print(f'{$AX/$DM:.2f}')") |
TABLE
if [ -n "$JSON" ]; then
  python3 - "$WORK/qps.txt" "$JSON" "$ROUNDS" "$SECONDS_EACH" "$NAMES" <<'PY'
import json, sys
rows, out, rounds, seconds, names = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
samples = {"ax": [], "dnsmasq": []}
for line in open(rows):
    label, value = line.split()
    samples[label].append(float(value))
json.dump({
    "suite": "dns",
    "title": "DNS: the daemon's server against dnsmasq",
    "description": f"dnsperf (4 clients, up to 200 queries in flight) asks for {names} local names, "
                   "A records, against the ax daemon's DNS server (the names are vservices) and "
                   "against dnsmasq answering the same names from a hosts file, on the same node "
                   "address. The two alternate round by round.",
    "config": {"rounds": rounds, "seconds per run": seconds, "names": names},
    "baseline": "dnsmasq",
    "labels": ["dnsmasq", "ax"],
    "measures": [{"id": "qps", "name": "queries per second", "unit": "qps", "better": "higher", "samples": samples}],
    "notes": [],
}, open(out, "w"), indent=1, ensure_ascii=False)
PY
fi
