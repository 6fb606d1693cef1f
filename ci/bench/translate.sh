#!/usr/bin/env bash
# xDS translation at scale: the agent's real path from a discovery response to vservices, for a
# mesh of 1,000 and 10,000 services with 10 endpoints each (100,000 endpoints at the top).
# io.ax.bench.translate.IstioMesh generates what istiod would send a sidecar (CDS clusters
# outbound|9080||svc-i.bench.svc.cluster.local with istiod's metadata and TLS match, their EDS
# ClusterLoadAssignments in two zones, the 0.0.0.0_9080 listener and RDS route 9080 with a virtual
# host per HTTP service, VIP_9080 tcp_proxy listeners for one service in ten, 80/20 subset splits
# for one in twenty; LB policies mixed), packed as Any. TranslateScale then times, per iteration,
# the parse of every resource into the agent's records (ResourceParser, into an XdsSnapshot) and
# the translation (Translator), and reads the bytes each allocated (ThreadMXBean) and what their
# results retain (heap after GC with and without them). Each size runs in its own JVM, so its
# first iteration is really cold; it is reported apart, then warm-up iterations (the same number
# of services for every size) are dropped.
# Every iteration checks the result (N vservices, 10 N backends) or the script fails.
# Usage: ci/bench/translate.sh [--quick] [--json FILE]   (no root, no daemon; Markdown on stdout)
#   default: 1,000 and 10,000 services, warm-up iterations until 40,000 services went through
#            (at least 3), then 7 measured iterations each
#   --quick: 1,000 services, 2 measured iterations, no warm-up beyond the cold one (< 30 s)
set -euo pipefail
ORIG=$PWD  # where a relative --json FILE is
cd "$(dirname "$0")/../.."
SIZES=(1000 10000); WARMUP_SERVICES=40000; ITERATIONS=7; MODE=full; JSON=""
# The agent runs with the JVM's default heap; a fixed ceiling makes peaks comparable between runs.
HEAP=4g
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) SIZES=(1000); WARMUP_SERVICES=0; ITERATIONS=2; MODE=quick ;;
    --json) [ $# -ge 2 ] || { echo "translate.sh: --json needs a file" >&2; exit 2; }; JSON=$(cd "$ORIG" && realpath -m "$2"); shift ;;
    *) echo "translate.sh: unknown argument '$1' (usage: ci/bench/translate.sh [--quick] [--json FILE])" >&2; exit 2 ;;
  esac
  shift
done
[ -f benchmarks/target/benchmarks.jar ] || ci/build.sh >&2
JAVA=$(ci/find-java.sh)
WORK=$(mktemp -d /tmp/ax-translate.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

LABELS=(); WARMUPS=()
for n in "${SIZES[@]}"; do
  # Warm-up by work, not by iterations: the JIT compiles what ran often enough, so the small mesh
  # gets as many services through the code as the big one before anything is measured.
  WARMUP=$(( (WARMUP_SERVICES + n - 1) / n ))
  [ "$WARMUP_SERVICES" = 0 ] || [ "$WARMUP" -ge 3 ] || WARMUP=3
  WARMUPS+=("$WARMUP")
  label="$(python3 -c "print(f'{$n:,}')") services"
  LABELS+=("$label")
  echo "==> $label: 1 cold, $WARMUP warm-up and $ITERATIONS measured iterations (JVM -Xmx$HEAP)" >&2
  if ! "$JAVA" -Xmx$HEAP --sun-misc-unsafe-memory-access=allow -cp benchmarks/target/benchmarks.jar \
      io.ax.bench.translate.TranslateScale "$n" "$WARMUP" "$ITERATIONS" >"$WORK/$n.txt" 2>"$WORK/$n.err"; then
    grep '^TranslateScale: ' "$WORK/$n.err" | grep -v 'iteration\|note:' | tail -1 >&2
    echo "translate.sh: TranslateScale $n failed (above)" >&2
    exit 1
  fi
  grep '^TranslateScale: ' "$WORK/$n.err" >&2 || true
  # Per-service costs, so linear scaling reads as equal numbers across the sizes.
  awk -v l="$label" -v n="$n" '
    NF == 2 { print $1, l, $2 }
    $1 == "parse_ms" { print "parse_us_per_service", l, $2 * 1000 / n }
    $1 == "translate_ms" { print "translate_us_per_service", l, $2 * 1000 / n }' "$WORK/$n.txt" >>"$WORK/samples.txt"
done

LABELS_JSON=$(printf '%s\n' "${LABELS[@]}" | python3 -c 'import json,sys; print(json.dumps([l.strip() for l in sys.stdin]))')
SIZES_JSON=$(printf '%s\n' "${SIZES[@]}" | python3 -c 'import json,sys; print(json.dumps([int(l) for l in sys.stdin]))')
python3 - "$WORK/spec.json" "$WORK/samples.txt" <<PY
import json, statistics, sys
rows = [l.split() for l in open(sys.argv[2])]
def one(measure, label):
    return [float(r[-1]) for r in rows if r[0] == measure and " ".join(r[1:-1]) == label][0]
labels = $LABELS_JSON
notes = ["Protobuf size of the resources: " + ", ".join(f"{l}: {one('resources_mb', l):.1f} MB" for l in labels) + "."]
notes.append("Notes the translator made (things it cannot apply at connect() time): "
             + ", ".join(f"{l}: {one('translation_notes', l):.0f}" for l in labels) + ".")
if len(labels) > 1:
    a, b = labels[0], labels[-1]
    def med(measure, label):
        return statistics.median(float(r[-1]) for r in rows if r[0] == measure and " ".join(r[1:-1]) == label)
    notes.append(f"Scaling from {a} to {b} ({$SIZES_JSON[-1] / $SIZES_JSON[0]:.0f}x the services): parse time x{med('parse_ms', b) / med('parse_ms', a):.1f}, "
                 f"translate time x{med('translate_ms', b) / med('translate_ms', a):.1f}, translate allocation x{med('allocated_mib', b) / med('allocated_mib', a):.1f}, "
                 f"retained translation x{med('retained_mib', b) / med('retained_mib', a):.1f}.")
spec = {
  "suite": "translate",
  "title": "xDS translation at scale",
  "description": ("The xDS agent's path from a discovery response to vservices, in one JVM per mesh size: Istio-shaped "
    "Envoy v3 resources for N services with 10 endpoints each (CDS clusters outbound|9080||svc-i.bench.svc.cluster.local "
    "with istiod's metadata, EDS assignments in two zones, the 0.0.0.0_9080 listener and RDS route 9080, VIP_9080 "
    "tcp_proxy listeners for one service in ten, 80/20 subset splits for one in twenty, five LB policies) are parsed from "
    "their packed Any form into the agent's records and translated into vservices. Times are medians of the measured "
    "iterations after warm-up; the first, cold iteration of each JVM is reported apart. Allocation is the thread's "
    "allocated bytes; retained is the heap after GC with the result held minus without it."),
  "config": {"mode": "$MODE", "sizes": $SIZES_JSON, "endpoints_per_service": 10, "warmup_iterations": dict(zip(labels, [$(IFS=,; echo "${WARMUPS[*]}")])), "warmup_services": $WARMUP_SERVICES,
             "measured_iterations": $ITERATIONS, "jvm": "-Xmx$HEAP, G1"},
  "baseline": None,
  "labels": labels,
  "measures": [
    {"id": "parse_ms", "name": "parse into records", "unit": "ms", "better": "lower"},
    {"id": "translate_ms", "name": "translate into vservices", "unit": "ms", "better": "lower"},
    {"id": "parse_us_per_service", "name": "parse per service", "unit": "µs", "better": "lower"},
    {"id": "translate_us_per_service", "name": "translate per service", "unit": "µs", "better": "lower"},
    {"id": "cold_parse_ms", "name": "parse, cold (first iteration)", "unit": "ms", "better": "lower"},
    {"id": "cold_translate_ms", "name": "translate, cold (first iteration)", "unit": "ms", "better": "lower"},
    {"id": "parse_allocated_mib", "name": "allocated by a parse", "unit": "MiB", "better": "lower"},
    {"id": "allocated_mib", "name": "allocated by a translation", "unit": "MiB", "better": "lower"},
    {"id": "snapshot_retained_mib", "name": "retained by the parsed records", "unit": "MiB", "better": None},
    {"id": "retained_mib", "name": "retained by the translation", "unit": "MiB", "better": None},
    {"id": "peak_heap_mib", "name": "peak heap of the run", "unit": "MiB", "better": None},
  ],
  "notes": notes,
}
json.dump(spec, open(sys.argv[1], "w"))
PY
python3 ci/bench/samples.py "$WORK/spec.json" "$WORK/samples.txt" ${JSON:+--json "$JSON"}
