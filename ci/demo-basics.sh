#!/usr/bin/env bash
# The basics, without Istio: build and install ax, start a daemon, run an unmodified web server
# and a client under `ax run` (by virtual IP and by name), create a vservice with the CLI and
# another with AppSwitch's REST call, list everything, restart the daemon to show vservices are
# kept, and restart with --clean to show they are dropped. The main job is ci/demo.sh (bookinfo).
#
# It uses a private run directory and REST port so it never disturbs a daemon already running,
# and stops everything it started on exit or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
show() { printf '\033[36m$ %s\033[0m\n' "$*"; "$@"; }

if [ ! -f ax-cli/target/ax.jar ]; then
  ci/build.sh
fi
PREFIX=$(mktemp -d /tmp/ax-demo.XXXXXX)
ci/install.sh --prefix "$PREFIX" >/dev/null
export PATH="$PREFIX/bin:$PATH"
RUN_DIR="$PREFIX/run"
REST_PORT=${AX_DEMO_REST_PORT:-6664}
export AX_ADMIN="$RUN_DIR/admin.sock"
export AX_RUN_DIR="$RUN_DIR"
DAEMON_PID=""
SERVER_PID=""

cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
  fi
  rm -rf "$PREFIX"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_daemon() {
  # REGISTRY_ONLY: nothing the demo's clients name may leave this machine, even by mistake.
  ax daemon --run-dir "$RUN_DIR" --rest-port "$REST_PORT" --outbound-traffic-policy REGISTRY_ONLY "$@" >>"$PREFIX/daemon.log" 2>&1 &
  DAEMON_PID=$!
  for _ in $(seq 1 150); do
    if [ -S "$AX_ADMIN" ] && ax get nodes >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
      cat "$PREFIX/daemon.log" >&2
      echo "the daemon exited; its log is above" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "the daemon did not come up in 30 s; log: $PREFIX/daemon.log" >&2
  exit 1
}

stop_daemon() {
  kill "$DAEMON_PID"
  wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=""
}

step "starting the ax daemon (run dir $RUN_DIR, REST on 127.0.0.1:$REST_PORT)"
start_daemon
show ax get nodes

step "an unmodified web server under ax run, on virtual IP 198.18.2.2 and named 'web'"
mkdir -p "$PREFIX/site" && echo "hello from a server under ax" > "$PREFIX/site/index.html"
printf '\033[36m$ ax run --ip 198.18.2.2 --name web python3 -m http.server 8000 &\033[0m\n'
ax run --ip 198.18.2.2 --name web -- python3 -m http.server 8000 --directory "$PREFIX/site" >"$PREFIX/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do ax get servers 2>/dev/null | grep -q 198.18.2.2:8000 && break; sleep 0.2; done
show ax get apps
show ax get servers
show ax run -- curl -s 198.18.2.2:8000
show ax run -- curl -s web.appswitch.local:8000

step "creating a vservice with the CLI (AppSwitch's example)"
show ax create vservice --ip 198.18.1.1 --backends 10.0.2.15 --ports 8000:10000 myvsvc

step "creating an external vservice with AppSwitch's REST call"
printf '\033[36m$ curl -X POST -H "Authorization: Bearer $(cat %s/rest.token)" http://localhost:%s/appswitch/v1/oper/createvirtualservice -d ...\033[0m\n' "$RUN_DIR" "$REST_PORT"
curl -sS -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $(cat "$RUN_DIR/rest.token")" \
  -d '{"name":"external","ip":"198.18.1.1","type":"Random","backendips":["10.0.0.5"],"extports":[{"extport":31111,"appport":9080}]}' \
  "http://localhost:$REST_PORT/appswitch/v1/oper/createvirtualservice"
show ax get vservices

step "a bad request gets one clear line, and the daemon keeps serving"
show ax create vservice --ip 1.1.1 --ports 80 broken || true

step "restarting the daemon: the vservices are kept, and the server under ax keeps serving"
stop_daemon
start_daemon
show ax get vservices -o wide
show ax run -- curl -s web:8000

step "restarting with --clean: the saved state is dropped"
stop_daemon
start_daemon --clean
show ax get vservices

step "done: the daemon is stopped and the demo's files removed"
