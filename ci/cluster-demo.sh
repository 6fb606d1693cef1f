#!/usr/bin/env bash
# AppSwitch's two-node cluster example ("Multi-Node AppSwitch Cluster" in its documentation),
# on one machine: host00 and host01 are network namespaces on a bridge, each with its own ax
# daemon; a web server under `ax run` on host00 is reached by name from a curl under `ax run` on
# host01, straight to host00's address, with no proxy. Then host00's daemon is killed and host01
# forgets its server. Needs root (namespaces). Everything it made is removed on exit.
#
# The namespaces have no route out, so nothing here can reach another host.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
on() { local host=$1; shift; printf '\033[36m%s$ %s\033[0m\n' "$host" "$*"; ip netns exec "ax-demo-$host" env PATH="$PATH" AX_RUN_DIR="$PREFIX/$host" AX_ADMIN="$PREFIX/$host/admin.sock" "$@"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "ci/cluster-demo.sh makes network namespaces: run it as root" >&2
  exit 1
fi
if [ ! -f ax-cli/target/ax.jar ]; then
  ci/build.sh
fi
PREFIX=$(mktemp -d /tmp/ax-cluster-demo.XXXXXX)
ci/install.sh --prefix "$PREFIX" >/dev/null
export PATH="$PREFIX/bin:$PATH"
declare -A IP=([host00]=10.77.0.10 [host01]=10.77.0.11)
declare -A DAEMON=()
SERVER_PID=""

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  for h in "${!DAEMON[@]}"; do kill -9 "${DAEMON[$h]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ns in ax-demo-host00 ax-demo-host01 ax-demo-switch; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$PREFIX"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "two nodes: host00 (${IP[host00]}) and host01 (${IP[host01]}), network namespaces on one bridge"
for ns in ax-demo-host00 ax-demo-host01 ax-demo-switch; do ip netns del "$ns" 2>/dev/null || true; done
ip netns add ax-demo-switch
ip -n ax-demo-switch link add br0 type bridge
ip -n ax-demo-switch link set br0 up
for h in host00 host01; do
  ip netns add "ax-demo-$h"
  ip -n ax-demo-switch link add "v-$h" type veth peer name eth0 netns "ax-demo-$h"
  ip -n ax-demo-switch link set "v-$h" master br0 up
  ip -n "ax-demo-$h" addr add "${IP[$h]}/24" dev eth0
  ip -n "ax-demo-$h" link set eth0 up
  ip -n "ax-demo-$h" link set lo up
done

step "an ax daemon on each node, each naming both as --neighbors"
for h in host00 host01; do
  mkdir -p "$PREFIX/$h"
  printf '\033[36m%s$ ax daemon --node-name %s --node-interface %s --neighbors %s,%s --outbound-traffic-policy REGISTRY_ONLY\033[0m\n' "$h" "$h" "${IP[$h]}" "${IP[host00]}" "${IP[host01]}"
  ip netns exec "ax-demo-$h" env PATH="$PATH" AX_JAVA_OPTS="-Xmx192m" ax daemon --run-dir "$PREFIX/$h" --node-name "$h" \
    --node-interface "${IP[$h]}" --neighbors "${IP[host00]},${IP[host01]}" --outbound-traffic-policy REGISTRY_ONLY >>"$PREFIX/$h.log" 2>&1 &
  DAEMON[$h]=$!
done
for h in host00 host01; do
  for _ in $(seq 1 150); do
    if [ "$(ip netns exec "ax-demo-$h" env PATH="$PATH" ax get nodes --admin "$PREFIX/$h/admin.sock" 2>/dev/null | grep -c Alive)" = 2 ]; then
      break
    fi
    kill -0 "${DAEMON[$h]}" 2>/dev/null || { cat "$PREFIX/$h.log" >&2; echo "$h's daemon exited; its log is above" >&2; exit 1; }
    sleep 0.2
  done
done
on host01 ax get nodes

step "a web server on host00, at 198.18.0.10 and named 'webserver'"
mkdir -p "$PREFIX/www" && echo "hello from host00" >"$PREFIX/www/index.html"
ip netns exec ax-demo-host00 env PATH="$PATH" AX_RUN_DIR="$PREFIX/host00" \
  ax run --ip 198.18.0.10 --name webserver -- python3 -m http.server 8000 --directory "$PREFIX/www" >"$PREFIX/webserver.log" 2>&1 &
SERVER_PID=$!
printf '\033[36mhost00$ ax run --ip 198.18.0.10 --name webserver -- python3 -m http.server 8000 &\033[0m\n'
for _ in $(seq 1 150); do
  on host01 ax get servers 2>/dev/null | grep -q 198.18.0.10:8000 && break
  sleep 0.2
done >/dev/null
on host01 ax get servers

step "from host01, curl the server by its name: connected straight to host00's ${IP[host00]}"
on host01 ax run -- curl -sS -I -m 5 webserver:8000
on host01 ax run -- curl -sS -m 5 webserver:8000

step "host00's daemon is killed: host01 drops its entries at once"
{ kill -9 "${DAEMON[host00]}" && wait "${DAEMON[host00]}"; } 2>/dev/null || true
unset 'DAEMON[host00]'
for _ in $(seq 1 100); do
  on host01 ax get servers 2>&1 | grep -q 198.18.0.10:8000 || break
  sleep 0.1
done >/dev/null
on host01 ax get servers || true
on host01 ax get nodes

step "done"
