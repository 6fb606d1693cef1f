"""Renders the benchmark suite's results: DIR/RESULTS.md and one PNG chart per part.

Usage: python3 ci/bench/report.py DIR

DIR holds what ci/bench/run.sh collected:
  - run.json: the run itself (when, where, which commit, quick or full, each part's duration
    and outcome);
  - one SUITE.json per part script (written with its --json FILE option), in this shape:

      {"suite": "datapath", "title": "...", "description": "one paragraph",
       "config": {"rounds": 5, ...},            # context, shown as a list
       "baseline": "native",                    # the label ratios are taken against, or null
       "labels": ["native", "ax", "haproxy"],   # column order
       "measures": [{"id": "connect_p50_us", "name": "connect() latency p50", "unit": "µs",
                     "better": "lower",          # "higher", "lower" or null
                     "samples": {"native": [...], "ax": [...]}}],   # one value per round
       "notes": ["..."]}

    Sample i of every label comes from the same interleaved round, so a ratio is the median of
    the per-round ratios (and an added latency the median of per-round differences): paired
    this way, drift of a noisy machine over the run cancels out instead of landing on one side;
  - jmh.json: JMH's own JSON result file (-rf json).

Also reads docs/bench/ANALYSIS.md, the hand-written reading of the full run, and puts it under
the aims. A file that does not have the shape above stops the report with one line naming it.
"""
import json
import math
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.patches  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

# The aims the project reports against (issue 7): measure id in the datapath suite, the label
# compared with its baseline, how the figure is taken, the limit and which side of it is good.
AIMS = [
    {"what": "bulk throughput, ax/native (iperf3)", "suite": "datapath", "measure": "iperf3_gbps",
     "figure": "ratio", "limit": 0.98, "good": "at least"},
    {"what": "added connect() latency, median (µs)", "suite": "datapath", "measure": "connect_p50_us",
     "figure": "added", "limit": 25.0, "good": "at most"},
    # Not an aim but the fair comparison with a proxy: connect() to a proxy returns once the
    # local proxy accepted; the proxy's own connect shows only when the first reply comes back.
    {"what": "added latency to the first reply byte of a new connection, median (µs)", "suite": "datapath",
     "measure": "first_byte_p50_us", "figure": "added", "limit": None, "good": None},
]
COLOURS = {"native": "#7f7f7f", "ax": "#1f77b4", "haproxy": "#ff7f0e", "dnsmasq": "#7f7f7f"}
OTHER_COLOURS = ["#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]


class BadResults(Exception):
    pass


def fmt(x):
    """A number the way a reader wants it: 3 significant figures, thousands separated."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    if a == 0:
        return "0"
    return f"{x:.3g}"


def fmt_ratio(x):
    """Ratios near 1 need three decimals: the throughput aim is 0.98."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.3f}" if abs(x) < 10 else fmt(x)


def config_value(v):
    if isinstance(v, dict):
        return ", ".join(f"{k} {config_value(x)}" for k, x in v.items())
    if isinstance(v, list):
        return ", ".join(config_value(x) for x in v)
    return fmt(v) if isinstance(v, float) else str(v)


def read_json(path):
    with open(path) as f:
        return json.load(f)


def check_suite(s, path):
    """The shape described above, or BadResults naming the file and what is wrong."""
    def bad(why):
        raise BadResults(f"{path}: {why}")

    for key in ("suite", "title", "description", "labels", "measures"):
        if key not in s:
            bad(f"missing '{key}'")
    labels = s["labels"]
    base = s.get("baseline")
    if base is not None and base not in labels:
        bad(f"baseline '{base}' is not one of the labels {labels}")
    for m in s["measures"]:
        for key in ("id", "name", "unit", "samples"):
            if key not in m:
                bad(f"a measure lacks '{key}': {m.get('id', m)}")
        if m.get("better") not in ("higher", "lower", None):
            bad(f"measure {m['id']}: better is '{m.get('better')}', expected higher, lower or null")
        if base is not None and base in m["samples"]:
            uneven = [label for label, xs in m["samples"].items() if len(xs) != len(m["samples"][base])]
            if uneven:
                bad(f"measure {m['id']}: {', '.join(uneven)} must have one sample per round, as {base} has ({len(m['samples'][base])})")
        for label, xs in m["samples"].items():
            if label not in labels:
                bad(f"measure {m['id']}: label '{label}' is not one of {labels}")
            if not xs or not all(isinstance(x, (int, float)) and math.isfinite(x) for x in xs):
                bad(f"measure {m['id']}, {label}: expected a non-empty list of numbers, got {xs}")


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def paired(m, label, base, op):
    """Median over rounds of op(sample of label, sample of base); None when there is no pair."""
    xs, bs = m["samples"].get(label), m["samples"].get(base)
    if not xs or not bs or len(xs) != len(bs):
        return None
    values = [op(x, b) for x, b in zip(xs, bs) if b != 0 or op is difference]
    return median(values) if values else None


def ratio(x, b):
    return x / b


def difference(x, b):
    return x - b


def suite_table(s):
    labels, base = s["labels"], s.get("baseline")
    others = [label for label in labels if label != base] if base else []
    has_added = base and any(m.get("better") == "lower" and m["unit"] in ("µs", "ms", "s") for m in s["measures"])
    rounds = max((len(xs) for m in s["measures"] for xs in m["samples"].values()), default=0)
    head = ["measure", "unit", "better"] + [f"{label}" for label in labels]
    head += [f"{o}/{base}" for o in others]
    if has_added:
        head += [f"{o} − {base}" for o in others]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m in s["measures"]:
        cells = [m["name"], m["unit"], m.get("better") or ""]
        cells += [fmt(median(m["samples"][label])) if label in m["samples"] else "" for label in labels]
        cells += [fmt_ratio(paired(m, o, base, ratio)) if o in m["samples"] and base in m["samples"] else "" for o in others]
        if has_added:
            timed = m.get("better") == "lower" and m["unit"] in ("µs", "ms", "s")
            cells += [fmt(paired(m, o, base, difference)) if timed and o in m["samples"] and base in m["samples"] else "" for o in others]
        rows.append("| " + " | ".join(cells) + " |")
    return rows, rounds


def colour(label, labels):
    if label in COLOURS:
        return COLOURS[label]
    rest = [lb for lb in labels if lb not in COLOURS]
    return OTHER_COLOURS[rest.index(label) % len(OTHER_COLOURS)]


def save(fig, out_dir, name):
    """Writes one chart into out_dir and returns its file name, for the Markdown link."""
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, name), dpi=110)
    plt.close(fig)
    return name


def suite_chart(s, out_dir):
    """Bars of medians with whiskers from min to max: one small chart per measure to compare
    labels side by side, or, for a suite of one label, one chart per unit."""
    if len(s["labels"]) == 1:
        return single_label_chart(s, out_dir)
    measures = s["measures"]
    cols = min(4, len(measures))
    rows = math.ceil(len(measures) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.9 * rows), squeeze=False)
    for ax, m in zip(axes.flat, measures):
        labels = [label for label in s["labels"] if label in m["samples"]]
        meds = [median(m["samples"][label]) for label in labels]
        lows = [med - min(m["samples"][label]) for med, label in zip(meds, labels)]
        highs = [max(m["samples"][label]) - med for med, label in zip(meds, labels)]
        ax.bar(range(len(labels)), meds, color=[colour(label, s["labels"]) for label in labels],
               yerr=[lows, highs], capsize=3, error_kw={"elinewidth": 0.8})
        ax.set_xticks(range(len(labels)), labels, fontsize=8)
        ax.set_title(f"{m['name']}\n({m['unit']}" + ("" if m.get("better") is None else f", {m['better']} is better") + ")", fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
        top = max(med + h for med, h in zip(meds, highs)) or 1
        for i, med in enumerate(meds):
            ax.text(i, med + top * 0.02, fmt(med), ha="center", va="bottom", fontsize=7)
        ax.set_ylim(0, top * 1.18)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[len(measures):]:
        ax.axis("off")
    fig.suptitle(s["title"], fontsize=10)
    return save(fig, out_dir, f"{s['suite']}.png")


def single_label_chart(s, out_dir):
    label = s["labels"][0]
    units = list(dict.fromkeys(m["unit"] for m in s["measures"]))
    groups = [[m for m in s["measures"] if m["unit"] == u] for u in units]
    fig, axes = plt.subplots(len(units), 1, figsize=(8, sum(0.45 * len(g) + 0.8 for g in groups)),
                             squeeze=False, gridspec_kw={"height_ratios": [len(g) for g in groups]})
    for ax, unit, group in zip(axes.flat, units, groups):
        ys = list(range(len(group)))[::-1]
        meds = [median(m["samples"][label]) for m in group]
        lows = [med - min(m["samples"][label]) for med, m in zip(meds, group)]
        highs = [max(m["samples"][label]) - med for med, m in zip(meds, group)]
        ax.barh(ys, meds, xerr=[lows, highs], color=colour(label, s["labels"]), capsize=3, error_kw={"elinewidth": 0.8})
        ax.set_yticks(ys, [m["name"] for m in group], fontsize=7)
        for y, med, h in zip(ys, meds, highs):
            ax.text(med + h, y, f"  {fmt(med)}", va="center", fontsize=7)
        ax.set_xlim(0, max(med + h for med, h in zip(meds, highs)) * 1.2 or 1)
        ax.set_xlabel(unit, fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(f"{s['title']} ({label}; whiskers: min to max)", fontsize=10)
    return save(fig, out_dir, f"{s['suite']}.png")


def ratio_chart(suites, out_dir):
    """Every paired ratio against a baseline, on one axis: 1.0 is 'the same as the baseline'."""
    bars = []
    for s in suites:
        base = s.get("baseline")
        if not base:
            continue
        for m in s["measures"]:
            if m.get("better") is None:
                continue
            for label in s["labels"]:
                if label == base or label not in m["samples"] or base not in m["samples"]:
                    continue
                r = paired(m, label, base, ratio)
                if r is not None:
                    bars.append((f"{m['name']} [{label}/{base}]", r, colour(label, s["labels"]), m["better"], label))
    if not bars:
        return None
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(bars) + 1.2))
    ys = range(len(bars))[::-1]
    ax.barh(list(ys), [b[1] for b in bars], color=[b[2] for b in bars])
    ax.set_yticks(list(ys), [f"{b[0]} ({b[3]} is better)" for b in bars], fontsize=7)
    ax.axvline(1.0, color="black", linewidth=0.8)
    for y, b in zip(ys, bars):
        ax.text(b[1], y, f" {fmt_ratio(b[1])}", va="center", fontsize=7)
    ax.set_xscale("log")
    ticks = [t for t in (0.125, 0.25, 0.5, 1, 2, 4, 8, 16) if min(b[1] for b in bars) / 2 <= t <= max(b[1] for b in bars) * 2]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks], fontsize=7)
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.set_xlabel("ratio to the baseline (median of per-round ratios, log scale; 1 = the same)", fontsize=8)
    seen = {}
    for b in bars:
        seen.setdefault(b[4], b[2])
    ax.legend(handles=[matplotlib.patches.Patch(color=c, label=label) for label, c in seen.items()], fontsize=7, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return save(fig, out_dir, "ratios.png")


def jmh_rows(results):
    rows = ["| benchmark | parameters | time per operation | ± (99.9%) | allocated per operation |", "|---|---|---|---|---|"]
    for r in results:
        name = r["benchmark"].rsplit(".", 2)
        name = f"{name[-2]}.{name[-1]}"
        params = ", ".join(f"{k}={v}" for k, v in (r.get("params") or {}).items())
        pm = r["primaryMetric"]
        alloc = (r.get("secondaryMetrics") or {}).get("·gc.alloc.rate.norm") or (r.get("secondaryMetrics") or {}).get("gc.alloc.rate.norm")
        err = pm.get("scoreError")
        alloc_text = f"{alloc['score']:,.0f} B" if alloc else "–"
        rows.append(f"| {name} | {params} | {fmt(pm['score'])} {pm['scoreUnit']} | "
                    f"{fmt(err) if isinstance(err, (int, float)) and math.isfinite(err) else '–'} | "
                    f"{alloc_text} |")
    return rows


def jmh_chart(results, out_dir):
    names = []
    for r in results:
        short = r["benchmark"].rsplit(".", 2)
        params = ",".join(str(v) for v in (r.get("params") or {}).values())
        names.append(f"{short[-2]}.{short[-1]}" + (f" [{params}]" if params else ""))
    scores = [r["primaryMetric"]["score"] for r in results]
    unit = results[0]["primaryMetric"]["scoreUnit"]
    fig, ax = plt.subplots(figsize=(9, 0.3 * len(results) + 1.2))
    ys = list(range(len(results)))[::-1]
    ax.barh(ys, scores, color=COLOURS["ax"])
    ax.set_yticks(ys, names, fontsize=7)
    for y, v in zip(ys, scores):
        ax.text(v, y, f" {fmt(v)}", va="center", fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel(f"time per operation ({unit}, log scale)", fontsize=8)
    ax.set_title("JMH: the daemon's hot paths", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return save(fig, out_dir, "jmh.png")


def aim_rows(suites):
    """The aims table: ax's figure, the limit, met or missed, and the proxy's figure beside it."""
    by_id = {s["suite"]: s for s in suites}
    rows = ["| aim | ax | haproxy (a proxy on the path) | aim | met by ax in this run? |", "|---|---|---|---|---|"]
    missed = []
    for aim in AIMS:
        s = by_id.get(aim["suite"])
        m = next((m for m in s["measures"] if m["id"] == aim["measure"]), None) if s else None
        limit = "(context)" if aim["limit"] is None else f"{aim['good']} {fmt(aim['limit'])}"
        if m is None:
            rows.append(f"| {aim['what']} | not measured | | {limit} | – |")
            continue
        op = ratio if aim["figure"] == "ratio" else difference
        ax = paired(m, "ax", s["baseline"], op)
        proxy = paired(m, "haproxy", s["baseline"], op) if "haproxy" in m["samples"] else None
        if ax is None:
            rows.append(f"| {aim['what']} | not measured | | {limit} | – |")
            continue
        show = fmt_ratio if aim["figure"] == "ratio" else fmt
        if aim["limit"] is None:
            rows.append(f"| {aim['what']} | {show(ax)} | {show(proxy)} | (context) | |")
            continue
        met = ax is not None and (ax >= aim["limit"] if aim["good"] == "at least" else ax <= aim["limit"])
        if not met:
            missed.append(aim["what"])
        rows.append(f"| {aim['what']} | {show(ax)} | {show(proxy)} | {aim['good']} {show(aim['limit'])} | {'yes' if met else '**no**'} |")
    return rows, missed


def render(directory, analysis_path):
    run = {}
    run_path = os.path.join(directory, "run.json")
    if os.path.exists(run_path):
        run = read_json(run_path)
    suites = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".json") or name in ("run.json", "jmh.json"):
            continue
        path = os.path.join(directory, name)
        try:
            s = read_json(path)
        except json.JSONDecodeError as e:
            raise BadResults(f"{path}: not JSON ({e})")
        check_suite(s, path)
        suites.append(s)
    order = [p["suite"] for p in run.get("parts", [])]
    suites.sort(key=lambda s: order.index(s["suite"]) if s["suite"] in order else len(order))
    jmh_path = os.path.join(directory, "jmh.json")
    jmh = read_json(jmh_path) if os.path.exists(jmh_path) else []

    md = ["# ax benchmark results", ""]
    if run.get("quick"):
        md += ["> **Quick mode**: one short round each, a smoke run that keeps the suite working.",
               "> These numbers are not results; `ci/bench/run.sh` without `--quick` makes those.", ""]
    md += ["Generated by `ci/bench/run.sh` (the suite's one command; see the README). Each comparison runs",
           "its setups interleaved round by round in one run, repeated; the tables give medians, and the",
           "ratios are medians of per-round ratios, so that drift of a noisy machine lands on both",
           "sides alike. **The ratios are the result; absolute numbers are context** for this machine.", ""]
    facts = [key for key in ("date", "commit", "machine", "cpu", "kernel", "java", "load average at start", "load average at end", "duration") if key in run]
    if facts:
        md += ["## The run", "", "The last invocation of `run.sh`; each part below says when it was measured.", "",
               "| | |", "|---|---|", *(f"| {key} | {run[key]} |" for key in facts), ""]
    if run:
        failed = [p for p in run.get("parts", []) if p.get("status") != "ok"]
        if failed:
            md += ["**Parts that failed:** " + ", ".join(f"{p['suite']} ({p.get('status')}; log `{p.get('log', '')}`)" for p in failed), ""]

    rows, missed = aim_rows(suites)
    md += ["## Aims", "", *rows, ""]
    if missed:
        md += ["ax misses: " + "; ".join(missed) + ". Why, from the profile, is below.", ""]
    if analysis_path and os.path.exists(analysis_path) and not run.get("quick"):
        with open(analysis_path) as f:
            md += [f.read().strip(), ""]
    chart = ratio_chart(suites, directory)
    if chart:
        md += [f"![every ratio against its baseline]({chart})", ""]

    parts = {p["suite"]: p for p in run.get("parts", [])}
    for s in suites:
        md += [f"## {s['title']}", ""]
        part = parts.get(s["suite"], {})
        if part.get("date"):
            md += [f"*Measured {part['date']} at commit {part.get('commit', '?')}, in {part.get('seconds', '?')} s.*", ""]
        md += [s["description"], ""]
        if s.get("config"):
            md += ["Run: " + "; ".join(f"{k}: {config_value(v)}" for k, v in s["config"].items()) + ".", ""]
        rows, rounds = suite_table(s)
        md += ["Medians of the samples (rounds, or the repeated measurements a measure names):" if rounds > 1 else "One sample each:", "", *rows, ""]
        for note in s.get("notes", []):
            md.append(f"- {note}")
        if s.get("notes"):
            md.append("")
        md += [f"![{s['title']}]({suite_chart(s, directory)})", ""]

    if jmh:
        md += ["## JMH: the hot paths", ""]
        part = parts.get("jmh", {})
        if part.get("date"):
            md += [f"*Measured {part['date']} at commit {part.get('commit', '?')}, in {part.get('seconds', '?')} s.*", ""]
        md += ["In-process microbenchmarks of what the daemon does per connect and per DNS query, on a",
               "realistic table (1,000 apps, 10,000 vservices; see `benchmarks/`). Average time per",
               "operation with JMH's 99.9% error, and bytes allocated per operation (`-prof gc`).", "",
               *jmh_rows(jmh), "", f"![JMH]({jmh_chart(jmh, directory)})", ""]
    with open(os.path.join(directory, "RESULTS.md"), "w") as f:
        f.write("\n".join(md))


def main(argv):
    if len(argv) != 1:
        print("usage: python3 ci/bench/report.py DIR", file=sys.stderr)
        return 2
    directory = argv[0]
    if not os.path.isdir(directory):
        print(f"report: {directory} is not a directory of results", file=sys.stderr)
        return 2
    analysis = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "bench", "ANALYSIS.md")
    try:
        render(directory, analysis)
    except BadResults as e:
        print(f"report: {e}", file=sys.stderr)
        return 1
    print(f"report: wrote {os.path.join(directory, 'RESULTS.md')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
