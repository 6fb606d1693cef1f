"""Report of ci/bench/federation.sh (see there): reads its samples, prints the Markdown table and,
with JSON set, writes the results contract. Samples are lines "MEASURE LABEL ROUND VALUE"."""
import json, os, statistics, sys

LABELS = ["native", "haproxy", "axfed"]
BASELINE = "native"
E = os.environ
ROUNDS = int(E["ROUNDS"])
CONNS = int(E["CONNS"])

MEASURES = [
    ("iperf3_gbps", "iperf3 throughput between the clusters, 1 stream", "Gbit/s", "higher"),
    ("first_byte_cps", f"new connections per second to their first reply byte, {CONNS:,} sequential", "conn/s", "higher"),
    ("first_byte_p50_us", "new connection to its first reply byte (socket, connect, 1-byte request, reply), p50", "µs", "lower"),
    ("first_byte_p99_us", "new connection to its first reply byte, p99", "µs", "lower"),
    ("proxy_cpu_s_per_1k", "CPU of the two gateways (ax daemons / HAProxies) per 1,000 connections", "CPU s", "lower"),
]


def load(path):
    samples = {}
    for line in open(path):
        measure, label, rnd, value = line.split()
        samples.setdefault(measure, {}).setdefault(label, {})[int(rnd)] = float(value)
    out = {}
    for measure, by_label in samples.items():
        out[measure] = {}
        for label, by_round in by_label.items():
            if sorted(by_round) != list(range(1, ROUNDS + 1)):
                sys.exit(f"federation: {measure} ({label}) has rounds {sorted(by_round)}, not 1..{ROUNDS}")
            out[measure][label] = [by_round[r] for r in range(1, ROUNDS + 1)]
    return out


def fmt(value, unit):
    if unit == "conn/s":
        return f"{value:,.0f}"
    if unit == "µs":
        return f"{value:,.1f}"
    if unit == "CPU s":
        return f"{value:.3f}"
    return f"{value:.2f}"


def ratio(samples, label, base):
    """Median of the per-round ratios label/base (same round, so the same machine state)."""
    if label not in samples or base not in samples:
        return "–"
    return f"{statistics.median(a / b for a, b in zip(samples[label], samples[base]) if b):.2f}"


def main():
    data = load(sys.argv[1])
    missing = [m for m, *_ in MEASURES if m not in data]
    if missing:
        sys.exit(f"federation: no samples for {', '.join(missing)}")
    print(f"| measure (median of {ROUNDS} interleaved rounds) | {' | '.join(LABELS)} | haproxy/native | axfed/native | axfed/haproxy |")
    print("|---|" + "---|" * (len(LABELS) + 3))
    for mid, name, unit, _ in MEASURES:
        s = data[mid]
        cells = [fmt(statistics.median(s[l]), unit) if l in s else "–" for l in LABELS]
        unit_text = "" if unit in name else f" ({unit})"
        print(f"| {name}{unit_text} | {' | '.join(cells)} | {ratio(s, 'haproxy', 'native')} | {ratio(s, 'axfed', 'native')} | {ratio(s, 'axfed', 'haproxy')} |")
    if not E.get("JSON"):
        return
    result = {
        "suite": "federation",
        "title": "Federation gateways",
        "description": (
            "A connection from one cluster to another through the two clusters' gateways, against HAProxy "
            "making the same two hops, interleaved round by round (the order rotates each round). Two network "
            "namespaces on a veth link stand for the gateway nodes of cluster0 (the client's) and cluster1 (the "
            "server's); each runs an ax daemon that is its cluster's federation gateway. native: the client "
            "connects across the link to the server. haproxy: the client connects to HAProxy "
            f"{E['HAPROXY_VERSION']} in its namespace (mode tcp, nbthread 2, send-proxy-v2), which connects to "
            "HAProxy in the server's namespace (accept-proxy), which connects to the server. axfed: the client "
            "connects to cluster0's import listener for the server's service address, which carries the "
            "connection with a PROXY v2 header to cluster1's ingress federation gateway service, which connects "
            "to the server (under ax run, as a service of cluster1). Clients are plain processes in every setup. "
            "Throughput is iperf3 with one stream (its first second left out); connection cost is connbench's "
            "time from socket() to the reply of a 1-byte request, sequential. The CPU measure is the user+system "
            "time of both daemons, or both HAProxies, over each setup's connbench run and the pause after it, "
            "per 1,000 connections (/proc's 10 ms ticks: good to about 10%)."
        ),
        "config": {
            "rounds": ROUNDS,
            "connections_per_round": CONNS,
            "iperf3_seconds": int(E["IPERF_SECONDS"]),
            "haproxy": f"{E['HAPROXY_VERSION']}, mode tcp, nbthread 2, PROXY v2 between the two",
            "kernel": E["KERNEL"],
            "cpus": int(E["CPUS"]),
        },
        "baseline": BASELINE,
        "labels": LABELS,
        "measures": [
            {"id": mid, "name": name, "unit": unit, "better": better,
             "samples": {l: data[mid][l] for l in LABELS if l in data[mid]}}
            for mid, name, unit, better in MEASURES
        ],
        "notes": [
            "Both ends of the link share one 2-core machine: the client, the server and both proxies compete "
            "for the same cores, so a proxy's throughput here is bounded by the CPU, not the link.",
            "The daemons' CPU includes their idle work (JGroups heartbeats of the federation group: about "
            "one message a second each), a few ticks a round.",
        ],
    }
    if E.get("QUICK") == "1":
        result["notes"].insert(0, "--quick: 1 round of 300 connections, 1 s runs; this checks that the benchmark "
                               "works and its numbers mean little.")
    with open(E["JSON"], "w") as f:
        json.dump(result, f, indent=2, ensure_ascii=False)
        f.write("\n")


main()
