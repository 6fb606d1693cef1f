#!/usr/bin/env bash
# Installs the real programs the end-to-end tests run under `ax run`, from Debian's packages:
# Python's http.server, curl, nginx, a statically linked busybox, iperf3, iproute2, dig,
# dnsmasq (an upstream for DNS forwarding tests and the DNS benchmark's baseline), dnsperf, and
# redis-server (with redis-cli) and memcached, servers that open an IPv6-only socket by default,
# and prometheus, which scrapes the daemon's /metrics in MetricsIT.
# `--demo` installs only what the bookinfo demo (ci/demo.sh) needs: python3 for the bookinfo
# programs, curl, gcc and make for the launcher, iproute2, procps and util-linux for its checks.
# `--bench` adds what the benchmark suite (ci/bench/run.sh) compares and draws with: HAProxy (the
# proxy on the path), wrk, and Debian's matplotlib for the charts.
# Idempotent and quiet when everything is there already. Needs root.
set -euo pipefail
tests=(python3 curl nginx-light busybox-static iperf3 iproute2 procps gcc make libc6-dev dnsutils dnsmasq-base dnsperf openssl redis-server redis-tools memcached prometheus)
case "${1:-}" in
  "") packages=("${tests[@]}") ;;
  --demo) packages=(python3 curl gcc make libc6-dev iproute2 procps util-linux) ;;
  --bench) packages=("${tests[@]}" util-linux haproxy wrk python3-matplotlib) ;;
  *) echo "ci/install-deps.sh: unknown argument '$1' (expected --demo, --bench or nothing)" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ci/install-deps.sh: missing ${missing[*]}; run as root to install them" >&2
  exit 1
fi
echo "==> installing ${missing[*]} from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# nginx-light, haproxy, redis-server, memcached and prometheus start system services; the tests
# and benchmarks start their own.
if command -v systemctl >/dev/null 2>&1; then systemctl stop nginx haproxy redis-server memcached prometheus >/dev/null 2>&1 || true; fi
# Without systemd, stop just the services' own processes, not nginx or HAProxy that a test runs.
pkill -f '^nginx: master process /usr/sbin/nginx' 2>/dev/null || true
pkill -f -- '-f /etc/haproxy/haproxy.cfg' 2>/dev/null || true
pkill -x -f '/usr/bin/prometheus' 2>/dev/null || true  # the service's, which has no flags; MetricsIT's has
echo "==> installed"
