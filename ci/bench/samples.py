#!/usr/bin/env python3
"""Turns a benchmark's per-round samples into the results contract of ci/bench/run.sh and a
Markdown table (used by scale.sh and translate.sh).

    samples.py SPEC SAMPLES [--json FILE]

SPEC is a JSON object with the contract's fields except the samples: suite, title, description,
config, baseline, labels, notes, and measures as [{id, name, unit, better}]. SAMPLES has one line
per value, "MEASURE LABEL VALUE", in round order: the i-th line of a measure and label is round i
(the label may hold spaces: the first word is the measure, the last the value).
Prints the table (medians; with a baseline, the median of per-round ratios to it) on stdout and
writes the JSON to FILE. A measure without samples, or a label with a different number of rounds
than the baseline, is an error: the contract pairs sample i of every label.
"""
import json
import statistics
import sys


def main(argv):
    if len(argv) not in (3, 5) or (len(argv) == 5 and argv[3] != "--json"):
        sys.exit("usage: samples.py SPEC SAMPLES [--json FILE]")
    with open(argv[1]) as f:
        spec = json.load(f)
    samples = {}
    with open(argv[2]) as f:
        for n, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 3:
                sys.exit(f"{argv[2]}:{n}: expected 'MEASURE LABEL VALUE', got {line.strip()!r}")
            label = " ".join(parts[1:-1])
            samples.setdefault(parts[0], {}).setdefault(label, []).append(float(parts[-1]))
    base = spec.get("baseline")
    measures = []
    for m in spec["measures"]:
        got = samples.get(m["id"])
        if not got:
            sys.exit(f"no samples of {m['id']}")
        if base and base in got:
            for label, values in got.items():
                if len(values) != len(got[base]):
                    sys.exit(f"{m['id']}: {label} has {len(values)} samples, the baseline {base} {len(got[base])}")
        measures.append({**m, "samples": {l: got[l] for l in spec["labels"] if l in got}})
    result = {k: spec.get(k) for k in ("suite", "title", "description", "config", "baseline", "labels")}
    result["measures"] = measures
    result["notes"] = spec.get("notes", [])
    if len(argv) == 5:
        with open(argv[4], "w") as f:
            json.dump(result, f, indent=2, ensure_ascii=False)
            f.write("\n")
    print(table(result))


def fmt(x):
    if x == 0 or abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}" if abs(x) < 10 else f"{x:.1f}"


def table(r):
    labels, base = r["labels"], r["baseline"]
    others = [l for l in labels if l != base] if base else []
    head = ["measure (median)"] + labels + [f"{l}/{base}" for l in others]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m in r["measures"]:
        s = m["samples"]
        row = [f"{m['name']} ({m['unit']})"]
        row += [fmt(statistics.median(s[l])) if l in s else "" for l in labels]
        for l in others:
            if l in s and base in s and all(b != 0 for b in s[base]):
                row.append(f"{statistics.median(a / b for a, b in zip(s[l], s[base])):.2f}")
            else:
                row.append("")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main(sys.argv)
