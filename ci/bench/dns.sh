#!/usr/bin/env bash
# DNS benchmark: queries per second for local names, the ax daemon's DNS server against dnsmasq
# answering the same 100 names on the same machine, measured with dnsperf, interleaved round by
# round. Prints a Markdown table with medians and the ax/dnsmasq ratio.
# Usage: ci/bench/dns.sh [--quick]      (run as root)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=3; SECONDS_EACH=10; NAMES=100
if [ "${1:-}" = "--quick" ]; then ROUNDS=1; SECONDS_EACH=2; fi

[ -f dataplane-core/target/ax.jar ] || ci/build.sh
WORK=$(mktemp -d /tmp/ax-dnsbench.XXXXXX)
JAVA=$(ci/find-java.sh)
DAEMON=""; DNSMASQ=""
cleanup() {
  [ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null || true
  [ -n "$DNSMASQ" ] && kill "$DNSMASQ" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=ci/bench/lib.sh
. ci/bench/lib.sh
REST_PORT=$(free_port)
start_daemon
NODE_IP=$(node_ip)

echo "==> $NAMES names in ax (vservices) and in dnsmasq (a hosts file)" >&2
: >"$WORK/hosts"; : >"$WORK/queries"
for i in $(seq 1 "$NAMES"); do
  ip="10.200.$((i / 256)).$((i % 256))"
  curl -sf -X POST "http://127.0.0.1:$REST_PORT/appswitch/v1/oper/createvirtualservice" \
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
for r in $(seq 1 "$ROUNDS"); do
  echo "==> round $r/$ROUNDS" >&2
  echo "ax $(qps 53)" >>"$WORK/qps.txt"
  echo "dnsmasq $(qps "$DNSMASQ_PORT")" >>"$WORK/qps.txt"
done
AX=$(awk '$1=="ax" {print $2}' "$WORK/qps.txt" | median)
DM=$(awk '$1=="dnsmasq" {print $2}' "$WORK/qps.txt" | median)
cat <<TABLE
| local names, dnsperf ${SECONDS_EACH}s x $ROUNDS rounds | ax | dnsmasq | ax/dnsmasq |
|---|---|---|---|
| queries per second (median) | $(python3 -c "print(f'{$AX:.0f}')") | $(python3 -c "print(f'{$DM:.0f}')") | $(python3 -c "print(f'{$AX/$DM:.2f}')") |
TABLE
