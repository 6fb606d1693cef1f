"""Report of ci/bench/federation.sh (see there): its measures and description, then samples.py
prints the table and, with JSON set, writes the results contract. Samples are lines
"MEASURE LABEL ROUND VALUE"."""
import json, os, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import samples  # noqa: E402  (the suite's shared table and results contract)

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


def main():
    # Each line carries its round: samples.py takes them in round order, without it.
    rows = sorted((line.split() for line in open(sys.argv[1]) if line.strip()), key=lambda r: int(r[2]))
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
        "measures": [{"id": mid, "name": name, "unit": unit, "better": better} for mid, name, unit, better in MEASURES],
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
    # The table, the checks and the results contract are samples.py's, as for the other parts.
    with tempfile.TemporaryDirectory() as tmp:
        spec, flat = os.path.join(tmp, "spec.json"), os.path.join(tmp, "samples.txt")
        with open(spec, "w") as f:
            json.dump(result, f)
        with open(flat, "w") as f:
            f.writelines(f"{m} {label} {v}\n" for m, label, _, v in rows)
        samples.main(["samples.py", spec, flat] + (["--json", E["JSON"]] if E.get("JSON") else []))


main()
