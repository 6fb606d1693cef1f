#!/usr/bin/env bash
# What a send costs on a connected TCP socket under ax: send(2) and sendmsg(2) natively and
# under `ax run`, and sendmsg on the same socket moved into ax's datagram fd range, where the
# filter still traps it (every sendmsg cost that before the range: issue 17, point 9). Each
# round runs sendbench natively (127.0.0.1) and under ax run (a vIP), alternating which goes
# first so that machine noise hits both alike. Reports medians and the ax/native ratio; with
# --json the results contract of ci/bench/run.sh (suite "sendmsg").
# Usage: ci/bench/sendmsg.sh [--quick] [--json FILE]     (run as root; Markdown table on stdout)
#   default: 7 rounds of 50,000 calls per way; --quick: 1 round of 2,000 (a smoke run for CI)
set -euo pipefail
ORIG=$PWD  # where a relative --json FILE is
cd "$(dirname "$0")/../.."
ROUNDS=7; CALLS=50000; MODE=full; JSON=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ROUNDS=1; CALLS=2000; MODE=quick ;;
    --json) [ $# -ge 2 ] || { echo "sendmsg.sh: --json needs a file" >&2; exit 2; }; JSON=$(cd "$ORIG" && realpath -m "$2"); shift ;;
    *) echo "sendmsg.sh: unknown argument '$1' (usage: ci/bench/sendmsg.sh [--quick] [--json FILE])" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "sendmsg.sh: run as root (ax run needs it)" >&2; exit 1; }
[ -f ax-cli/target/ax.jar ] && [ -x syscall-bridge/target/native/ax-run ] || ci/build.sh >&2
JAVA=$(ci/find-java.sh)
AXRUN="$PWD/syscall-bridge/target/native/ax-run"
WORK=$(mktemp -d /tmp/ax-sendmsg-bench.XXXXXX)
DAEMON=""
# shellcheck source=ci/bench/lib.sh
. ci/bench/lib.sh
cleanup() {
  local rc=$?
  trap - INT TERM
  [ -n "$DAEMON" ] && stop_daemon
  remove_work_unless_failed "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "sendmsg.sh: $*" >&2; exit 1; }

gcc -O2 -Wall -Wextra -Werror -pthread -o "$WORK/sendbench" ci/bench/sendbench.c
REST_PORT=$(free_port)
start_daemon --dns=false --ports 54000-54999 --node-name bench-sendmsg
VIP=198.18.9.1

one() { # $1 label, $2 calls, [$3 round to record]
  local out
  if [ "$1" = native ]; then out=$("$WORK/sendbench" 127.0.0.1 "$2" 2>&1) || fail "sendbench natively failed: $out"
  else out=$(AX_RUN_DIR=$WORK/run "$AXRUN" --ip "$VIP" -- "$WORK/sendbench" "$VIP" "$2" 2>&1) || fail "sendbench under ax run failed: $out"; fi
  [ -n "${3:-}" ] || return 0
  for way in send sendmsg sendmsg_high_fd; do
    v=$(sed -n "s/^$way us_per_call=\([0-9.]*\)$/\1/p" <<<"$out")
    [ -n "$v" ] || fail "sendbench ($1) printed no $way: $out"
    echo "${way}_us $1 $v" >>"$WORK/samples.txt"
  done
}

echo "==> $MODE: warm-up" >&2
one native "$CALLS"; one ax "$CALLS"
for r in $(seq 1 "$ROUNDS"); do
  echo "==> round $r/$ROUNDS: $CALLS calls per way, native and ax" >&2
  if [ $((r % 2)) = 1 ]; then one native "$CALLS" "$r"; one ax "$CALLS" "$r"
  else one ax "$CALLS" "$r"; one native "$CALLS" "$r"; fi
done

python3 - "$WORK/spec.json" "$WORK/samples.txt" <<PY
import json, statistics, sys
rows = [l.split() for l in open(sys.argv[2])]
def per_round(measure, label):
    return [float(v) for m, l, v in rows if m == measure and l == label]
def ratio(a, b, label):
    return statistics.median(x / y for x, y in zip(per_round(a, label), per_round(b, label)))
spec = {
  "suite": "sendmsg",
  "title": "send and sendmsg on a connected TCP socket",
  "description": ("sendbench (ci/bench/sendbench.c) connects a TCP socket to itself and times $CALLS calls of 64 bytes "
    "each way, a thread draining the other side: send(2), sendmsg(2), and sendmsg(2) on a copy of the socket at the "
    "top fd number below min(RLIMIT_NOFILE, 1024), inside ax's datagram range, where the seccomp filter traps sendmsg "
    "(a daemon round trip per call, as every sendmsg paid before the range). native: 127.0.0.1, no ax; ax: under "
    "ax run --ip $VIP, the socket made by the daemon. Rounds alternate which goes first."),
  "config": {"mode": "$MODE", "rounds": $ROUNDS, "calls_per_way": $CALLS, "payload_bytes": 64},
  "baseline": "native",
  "labels": ["native", "ax"],
  "measures": [
    {"id": "send_us", "name": "send() per call", "unit": "µs", "better": "lower"},
    {"id": "sendmsg_us", "name": "sendmsg() per call", "unit": "µs", "better": "lower"},
    {"id": "sendmsg_high_fd_us", "name": "sendmsg() per call, fd in the datagram range (trapped under ax)", "unit": "µs", "better": "lower"},
  ],
  "notes": [
    f"ax: sendmsg / send, median of per-round ratios: {ratio('sendmsg_us', 'send_us', 'ax'):.2f} (native: {ratio('sendmsg_us', 'send_us', 'native'):.2f}).",
    f"ax: trapped sendmsg (fd in the range) / untrapped sendmsg: {ratio('sendmsg_high_fd_us', 'sendmsg_us', 'ax'):.1f}.",
  ],
}
json.dump(spec, open(sys.argv[1], "w"))
PY
python3 ci/bench/samples.py "$WORK/spec.json" "$WORK/samples.txt" ${JSON:+--json "$JSON"}
