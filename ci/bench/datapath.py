"""Report of ci/bench/datapath.sh (see there): reads its samples, prints the Markdown table and,
with JSON set, writes the results contract. Samples are lines "MEASURE LABEL ROUND VALUE"."""
import json, os, statistics, sys

LABELS = ["native", "ax", "haproxy", "axproxy"]
BASELINE = "native"
E = os.environ
ROUNDS = int(E["ROUNDS"])
CONNS = int(E["CONNS"])

# id, name, unit, better; in the order of the table.
MEASURES = [
    ("iperf3_gbps", "iperf3 throughput, 1 stream", "Gbit/s", "higher"),
    ("http_rps", "HTTP requests per second, wrk over 8 keep-alive connections", "req/s", "higher"),
    ("http_p50_us", "HTTP request latency p50", "µs", "lower"),
    ("http_p99_us", "HTTP request latency p99", "µs", "lower"),
    ("connect_cps", f"new connections per second, {CONNS:,} sequential", "conn/s", "higher"),
    ("connect_p50_us", "connect() latency p50", "µs", "lower"),
    ("connect_p99_us", "connect() latency p99", "µs", "lower"),
    ("first_byte_p50_us", "new connection to its first reply byte (socket, connect, 1-byte request, reply), p50", "µs", "lower"),
    ("first_byte_p99_us", "new connection to its first reply byte, p99", "µs", "lower"),
    ("daemon_cpu_s_per_1k", "CPU of the ax daemon / HAProxy / the daemon's proxy per 1,000 connections", "CPU s", "lower"),
    ("connect_cps_nosync", "without SYNC_WAKE_UP: new connections per second", "conn/s", "higher"),
    ("connect_p50_us_nosync", "without SYNC_WAKE_UP: connect() latency p50", "µs", "lower"),
    ("connect_p99_us_nosync", "without SYNC_WAKE_UP: connect() latency p99", "µs", "lower"),
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
                sys.exit(f"datapath: {measure} ({label}) has rounds {sorted(by_round)}, not 1..{ROUNDS}")
            out[measure][label] = [by_round[r] for r in range(1, ROUNDS + 1)]
    return out


def fmt(value, unit):
    if unit in ("conn/s", "req/s"):
        return f"{value:,.0f}"
    if unit == "µs":
        return f"{value:,.1f}"
    if unit == "CPU s":
        return f"{value:.3f}"
    return f"{value:.2f}"


def versus(samples, label, unit, better):
    """Median of per-round ratios to native, and for latencies the median of per-round differences."""
    if label not in samples or BASELINE not in samples:
        return "–"
    pairs = list(zip(samples[label], samples[BASELINE]))
    ratio = statistics.median(a / b for a, b in pairs if b)
    text = f"{ratio:.2f}"
    if unit == "µs" and better == "lower":
        text += f" ({statistics.median(a - b for a, b in pairs):+,.1f} µs)"
    return text


def main():
    data = load(sys.argv[1])
    missing = [m for m, *_ in MEASURES if m not in data]
    if missing:
        sys.exit(f"datapath: no samples for {', '.join(missing)}")
    others = [l for l in LABELS if l != BASELINE]
    print(f"| measure (median of {ROUNDS} interleaved rounds) | {' | '.join(LABELS)} | {' | '.join(l + '/' + BASELINE for l in others)} |")
    print("|---|" + "---|" * (len(LABELS) + len(others)))
    for mid, name, unit, better in MEASURES:
        s = data[mid]
        cells = [f"{fmt(statistics.median(s[l]), unit)}" if l in s else "–" for l in LABELS]
        unit_text = "" if unit in name else f" ({unit})"
        print(f"| {name}{unit_text} | {' | '.join(cells)} | {' | '.join(versus(s, l, unit, better) for l in others)} |")
    if not E.get("JSON"):
        return
    result = {
        "suite": "datapath",
        "title": "Data path and connection setup",
        "description": (
            "The same clients and servers in four setups, interleaved round by round (the order rotates "
            "each round). native: plain processes over the node IP. ax: client and server both under "
            "`ax run`, the client connecting to the server's app IP; the daemon decides each connect() and "
            "hands over a kernel socket, so bytes flow natively. haproxy: the native client connects to a "
            f"local HAProxy {E['HAPROXY_VERSION']} in `mode tcp` (one process in the foreground, nbthread 2 as "
            "Istio's default proxy concurrency, no health checks, no splicing, 5 s connect and 1 min idle "
            "timeouts), which connects to the native server: one TCP proxy on the path, standing in for a "
            "sidecar. axproxy: the same hop made by ax's every-node proxy (an external vservice's vport on "
            "the node, one epoll event loop thread, Netty, no splicing), as an outside client of the mesh meets it. "
            "Throughput is iperf3 with one stream, its first second (TCP ramp-up) left out; HTTP is wrk (1 thread, 8 keep-alive connections) "
            f"against nginx {E['NGINX_VERSION']} (one process) serving a 1 KiB file, nginx and wrk both under ax "
            "for ax; connection setup is connbench's sequential connect() and, because through a proxy "
            "connect() completes against the proxy, the time from socket() to the reply of a 1-byte request. "
            "The CPU measure is the user+system time of the ax daemon, or of HAProxy, over its setup's "
            "connbench runs and the 1.5 s pause after each (so deferred work such as reaping the exited app "
            "and GC is counted), per 1,000 connections; /proc's 10 ms ticks make it good to about 10%. The *_nosync measures come from a second phase with the daemon restarted "
            "with --seccomp-sync-wakeup=false, native and ax interleaved again."
        ),
        "config": {
            "rounds": ROUNDS,
            "connects_per_round": CONNS,
            "iperf3_seconds": int(E["IPERF_SECONDS"]),
            "wrk": f"-t1 -c8 -d{E['WRK_SECONDS']}s, 1 KiB static file",
            "haproxy": f"{E['HAPROXY_VERSION']}, mode tcp, nbthread 2",
            "nginx": f"{E['NGINX_VERSION']}, master_process off, keepalive_requests unbounded",
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
            "Istio puts a sidecar at both ends of a connection: the single HAProxy hop here is the cheaper half "
            "of what a sidecar mesh adds.",
            "connect() through HAProxy completes against the proxy before it reaches the server; "
            "first_byte_* is the comparable cost of a new connection for all the setups.",
            "axproxy and haproxy make the same hop; HAProxy runs 2 threads, the daemon's proxy 1 event loop "
            "thread (on this 2-core machine the client and server take the rest).",
            "The ax daemon's CPU is its share of each new connection: the client's socket() and connect() are "
            "trapped and performed by the daemon (accept() runs natively), plus registering each round's ax-run "
            "client; the kernel's side of the trap is charged to the client and not counted. HAProxy's covers "
            "accepting the client and connecting to the server. native has no third party, so this measure has "
            "no native column.",
            "The *_nosync phase runs after the first, on a restarted daemon: compare its ax/native ratios with "
            "the first phase's, not its absolute numbers.",
            "nginx and wrk run under ax run unchanged (nginx with master_process off).",
        ],
    }
    if E.get("QUICK") == "1":
        result["notes"].insert(0, "--quick: 1 round of 300 connections, 1 s runs; the daemon's JIT is still cold, "
                               "so this checks that the benchmark works and its numbers mean little.")
    with open(E["JSON"], "w") as f:
        json.dump(result, f, indent=2, ensure_ascii=False)
        f.write("\n")


main()
