# Shared by the benchmark scripts (sourced): a daemon on a private run directory and REST port.
# Expects JAVA, WORK and REST_PORT; sets DAEMON to the daemon's pid.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])'; }

start_daemon() { # extra daemon flags
  # Metrics stay on, as by default, but on a port of their own: benchmarks run daemons side by
  # side, and the default 6665 would let only the first one start.
  local metrics=()
  [[ " $* " == *" --metrics-port "* ]] || metrics=(--metrics-port "$(free_port)")
  # REGISTRY_ONLY: a benchmark's client must never reach a real address off this machine, even
  # when its server is late.
  "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar ax-cli/target/ax.jar \
    daemon --run-dir "$WORK/run" --rest-port "$REST_PORT" --outbound-traffic-policy REGISTRY_ONLY "${metrics[@]}" "$@" >>"$WORK/daemon.log" 2>&1 &
  DAEMON=$!
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$REST_PORT/appswitch/v1/nodes" >/dev/null 2>&1 && return 0
    kill -0 "$DAEMON" 2>/dev/null || break
    sleep 0.2
  done
  echo "the daemon did not start: $(tail -n 1 "$WORK/daemon.log")" >&2
  exit 1
}

stop_daemon() { kill "$DAEMON"; wait "$DAEMON" 2>/dev/null || true; DAEMON=""; }

node_ip() { curl -s "http://127.0.0.1:$REST_PORT/appswitch/v1/nodes" | python3 -c 'import json,sys; print(json.load(sys.stdin)["nodes"][0]["ip"])'; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# For a script's EXIT trap, with the script's exit status: the work directory goes, unless the
# run failed (not interrupted), when its logs stay for the one-line error that names them.
remove_work_unless_failed() { # $1: exit status
  if [ "$1" -eq 0 ] || [ "$1" -eq 130 ]; then rm -rf "$WORK"; else echo "logs kept in $WORK" >&2; fi
}
