"""The cluster benchmark (see cluster.sh): real daemons in network namespaces on one bridge.

Each size (3, 10, 30 nodes) gets a fresh cluster: a "switch" namespace with a bridge and one
namespace per node (10.88.0.K/24, no route out, so a connect to an address not in the table fails
at once with ENETUNREACH and nothing leaves the machine). Every daemon names the first three
nodes as --neighbors, has a 128 MiB heap and serial GC, and no DNS.

- convergence: for each service, a client under `ax run` on every other node retries connect()
  to the service's IP every 5 ms; then a server under `ax run --ip` starts on one node (they
  take turns) and prints the time right after listen(). A service's figure is the time until the
  last node's client connected (all namespaces share the host clock).
- idle: CPU (utime + stime from /proc/PID/stat) and VmRSS of every daemon over a quiet window,
  and the bytes the nodes sent on the bridge meanwhile (heartbeats).
- bytes per change: what the nodes sent while the services registered, less the idle rate over
  the same time, divided by the number of changes (per service: the server's app and socket,
  and each client app's start and exit); each change is one delta sent to every other node.
- purge: a poller on every other node reads its daemon's service table every 20 ms; the last
  node's link is cut, then restored (partition and heal), then its daemon SIGKILLed.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.getcwd()
JAVA = os.environ.get("JAVA", "java")
JAR = os.path.join(ROOT, "ax-cli/target/ax.jar")
RUN = os.path.join(ROOT, "syscall-bridge/target/native/ax-run")
PREFIX = "axbc-"
SUBNET = "10.88.0"

SERVER = r"""
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8000)); s.listen(64)
print(repr(time.time()), flush=True)
while True:
    c, _ = s.accept(); c.close()
"""

CLIENT = r"""
import socket, sys, time
ip, deadline = sys.argv[1], time.time() + float(sys.argv[2])
while time.time() < deadline:
    try:
        socket.create_connection((ip, 8000), timeout=1).close()
        print(repr(time.time()), flush=True); sys.exit(0)
    except OSError:
        time.sleep(0.005)
sys.exit(1)
"""

POLLER = r"""
import json, sys, time, urllib.request
node, want_gone, deadline = sys.argv[1], sys.argv[2] == "gone", time.time() + float(sys.argv[3])
url = "http://127.0.0.1:6664/appswitch/v1/servers"
while time.time() < deadline:
    try:
        servers = json.load(urllib.request.urlopen(url, timeout=1)).get("servers", [])
        present = any(s.get("node_id") == node for s in servers)
        if present != want_gone:
            print(repr(time.time()), flush=True); sys.exit(0)
    except Exception:
        pass
    time.sleep(0.02)
sys.exit(1)
"""


def sh(*cmd, check=True):
    return subprocess.run(cmd, capture_output=True, text=True, check=check)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Cluster:
    def __init__(self, n, work):
        self.n, self.work = n, work
        self.switch = PREFIX + "sw"
        self.daemons = {}
        self.procs = []

    def ns(self, k):
        return f"{PREFIX}n{k}"

    def ip(self, k):
        return f"{SUBNET}.{k}"

    def create(self):
        self.destroy()
        sh("ip", "netns", "add", self.switch)
        sh("ip", "-n", self.switch, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.switch, "link", "set", "br0", "up")
        for k in range(1, self.n + 1):
            sh("ip", "netns", "add", self.ns(k))
            sh("ip", "-n", self.switch, "link", "add", f"v{k}", "type", "veth", "peer", "name", "eth0", "netns", self.ns(k))
            sh("ip", "-n", self.switch, "link", "set", f"v{k}", "master", "br0", "up")
            sh("ip", "-n", self.ns(k), "addr", "add", self.ip(k) + "/24", "dev", "eth0")
            sh("ip", "-n", self.ns(k), "link", "set", "eth0", "up")
            sh("ip", "-n", self.ns(k), "link", "set", "lo", "up")

    def start_daemons(self):
        seeds = ",".join(self.ip(k) for k in range(1, min(3, self.n) + 1))
        for k in range(1, self.n + 1):
            run_dir = os.path.join(self.work, f"n{k}")
            os.makedirs(run_dir, exist_ok=True)
            out = open(os.path.join(self.work, f"n{k}.log"), "a")
            self.daemons[k] = subprocess.Popen(
                ["ip", "netns", "exec", self.ns(k), JAVA, "-Xmx128m", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                 "--sun-misc-unsafe-memory-access=allow", "-jar", JAR, "daemon", "--run-dir", run_dir, "--node-name", f"node{k}",
                 "--node-interface", self.ip(k), "--neighbors", seeds, "--dns=false"], stdout=out, stderr=subprocess.STDOUT)
            # Staggered: 30 JVMs starting at once on 2 cores would time each other out of joins.
            self.wait(lambda: self.rest(k, "nodes") is not None, 90, f"node{k}'s daemon to answer")
        self.wait(lambda: all(len(self.rest(k, "nodes") or []) == self.n for k in range(1, self.n + 1)), 120, f"every node to see {self.n} members")

    def rest(self, k, resource):
        r = sh("ip", "netns", "exec", self.ns(k), "curl", "-s", "-m", "3", f"http://127.0.0.1:6664/appswitch/v1/{resource}", check=False)
        if r.returncode != 0 or not r.stdout.strip():
            return None
        try:
            return json.loads(r.stdout).get(resource, [])
        except ValueError:
            return None

    def wait(self, cond, timeout, what):
        end = time.time() + timeout
        while time.time() < end:
            if cond():
                return
            time.sleep(0.2)
        raise SystemExit(f"cluster benchmark: timed out waiting for {what} ({self.n} nodes); logs in {self.work}")

    def python(self, k, code, *args, ax_run=(), out=subprocess.PIPE):
        cmd = ["ip", "netns", "exec", self.ns(k)]
        if ax_run is not None:
            cmd += [RUN, "--run-dir", os.path.join(self.work, f"n{k}"), *ax_run, "--"]
        p = subprocess.Popen(cmd + ["python3", "-c", code, *args], stdout=out, stderr=subprocess.DEVNULL, text=True)
        self.procs.append(p)
        return p

    def bridge_tx_bytes(self):
        # What the nodes sent: the bridge ports' received bytes in the switch namespace.
        total = 0
        for k in range(1, self.n + 1):
            r = sh("ip", "netns", "exec", self.switch, "cat", f"/sys/class/net/v{k}/statistics/rx_bytes")
            total += int(r.stdout)
        return total

    def destroy(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        for p in self.daemons.values():
            if p.poll() is None:
                p.kill()
                p.wait()
        for p in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass
        names = sh("ip", "netns", "list", check=False).stdout.split("\n")
        for line in names:
            name = line.split(" ")[0]
            if name.startswith(PREFIX):
                sh("ip", "netns", "del", name, check=False)


def java_pid(popen):
    # `ip netns exec` execs java: the Popen's pid is the daemon's.
    return popen.pid


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def idle(c, seconds):
    pids = [java_pid(p) for p in c.daemons.values()]
    cpu0 = [cpu_seconds(p) for p in pids]
    b0, t0 = c.bridge_tx_bytes(), time.time()
    time.sleep(seconds)
    cpu1 = [cpu_seconds(p) for p in pids]
    b1, t1 = c.bridge_tx_bytes(), time.time()
    cpu = [100 * (b - a) / (t1 - t0) for a, b in zip(cpu0, cpu1)]
    return cpu, [rss_mib(p) for p in pids], (b1 - b0) / (t1 - t0)


def convergence(c, services, idle_bytes_per_s):
    figures = []
    b0, t0 = c.bridge_tx_bytes(), time.time()
    for i in range(services):
        home = 1 + i % c.n
        ip = f"198.18.{1 + i // 250}.{1 + i % 250}"
        clients = {k: c.python(k, CLIENT, ip, "30") for k in range(1, c.n + 1) if k != home}
        time.sleep(1.0 + 0.05 * c.n)  # every client registered and retrying
        server = c.python(home, SERVER, ax_run=("--ip", ip))
        listened = float(server.stdout.readline())
        done = []
        for k, p in clients.items():
            out, _ = p.communicate(timeout=60)
            if p.returncode != 0:
                raise SystemExit(f"cluster benchmark: node{k} never reached {ip} ({c.n} nodes); logs in {c.work}")
            done.append(float(out.strip()))
        figures.append(1000 * (max(done) - listened))
    sent = c.bridge_tx_bytes() - b0 - idle_bytes_per_s * (time.time() - t0)
    # Changes per service, each one delta multicast to every peer: the server's app and its
    # listening socket, and each client app's registration and removal.
    changes = services * (2 + 2 * (c.n - 1))
    return figures, max(sent, 0) / changes


def purge(c, victim, action):
    """Seconds from the action until every other node has dropped the victim's entries."""
    name = f"node{victim}"
    pollers = {k: c.python(k, POLLER, name, "gone", "30", ax_run=None) for k in c.daemons if k != victim}
    time.sleep(0.5)
    t0 = time.time()
    action()
    gone = []
    for k, p in pollers.items():
        out, _ = p.communicate(timeout=60)
        if p.returncode != 0:
            raise SystemExit(f"cluster benchmark: node{k} kept {name}'s entries for 30 s; logs in {c.work}")
        gone.append(float(out.strip()))
    return 1000 * (max(gone) - t0)


def heal(c, victim):
    name = f"node{victim}"
    pollers = [c.python(k, POLLER, name, "back", "60", ax_run=None) for k in c.daemons if k != victim]
    t0 = time.time()
    sh("ip", "-n", c.switch, "link", "set", f"v{victim}", "up")
    back = []
    for p in pollers:
        out, _ = p.communicate(timeout=90)
        if p.returncode == 0:
            back.append(float(out.strip()))
    return 1000 * (max(back) - t0) if len(back) == len(pollers) else float("nan")


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--nodes", default=None)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    sizes = [int(x) for x in (a.nodes or os.environ.get("AX_BENCH_CLUSTER_NODES") or ("3" if a.quick else "3,10,30")).split(",")]
    services = 5 if a.quick else 50
    idle_s = 5 if a.quick else 20
    labels = [f"{n} nodes" for n in sizes]
    m = {k: {} for k in ("conv_p50", "conv_p99", "conv_max", "purge_kill", "purge_link", "heal", "cpu", "rss", "idle_bytes", "bytes_change")}
    for n, label in zip(sizes, labels):
        work = tempfile.mkdtemp(prefix=f"ax-bench-cluster-{n}.")
        c = Cluster(n, work)
        try:
            log(f"{n} nodes: starting the daemons (logs in {work})")
            c.create()
            c.start_daemons()
            log(f"{n} nodes: idle for {idle_s} s")
            cpu, rss, idle_bps = idle(c, idle_s)
            log(f"{n} nodes: {services} services, each reached from the {n - 1} other nodes")
            conv, per_change = convergence(c, services, idle_bps)
            victim = n
            log(f"{n} nodes: cutting node{victim}'s link, then healing it, then killing its daemon")
            link_ms = purge(c, victim, lambda: sh("ip", "-n", c.switch, "link", "set", f"v{victim}", "down"))
            heal_ms = heal(c, victim)
            kill_ms = purge(c, victim, lambda: c.daemons[victim].send_signal(signal.SIGKILL))
            m["conv_p50"][label] = [pct(conv, 50)]
            m["conv_p99"][label] = [pct(conv, 99)]
            m["conv_max"][label] = [max(conv)]
            m["purge_kill"][label] = [kill_ms]
            m["purge_link"][label] = [link_ms]
            if heal_ms == heal_ms:
                m["heal"][label] = [heal_ms]
            m["cpu"][label] = cpu
            m["rss"][label] = rss
            m["idle_bytes"][label] = [idle_bps]
            m["bytes_change"][label] = [per_change]
            log(f"{n} nodes: convergence p50 {pct(conv, 50):.0f} ms, p99 {pct(conv, 99):.0f} ms; purge after SIGKILL {kill_ms:.0f} ms, "
                f"after link down {link_ms:.0f} ms, back after heal {heal_ms:.0f} ms; idle CPU {statistics.median(cpu):.2f}% of a core, "
                f"RSS {statistics.median(rss):.0f} MiB; {per_change:.0f} B per change, {idle_bps:.0f} B/s idle")
        finally:
            c.destroy()
    measures = [
        ("conv_p50", "listen() to connectable from every other node, p50 over services", "ms", "lower"),
        ("conv_p99", "listen() to connectable from every other node, p99 over services", "ms", "lower"),
        ("conv_max", "listen() to connectable from every other node, worst service", "ms", "lower"),
        ("purge_kill", "SIGKILL of a daemon to its entries gone everywhere", "ms", "lower"),
        ("purge_link", "link cut to the node's entries gone everywhere", "ms", "lower"),
        ("heal", "link restored to the node's entries back everywhere", "ms", "lower"),
        ("cpu", "idle CPU per daemon (samples: daemons)", "% of a core", "lower"),
        ("rss", "RSS per daemon (samples: daemons)", "MiB", "lower"),
        ("idle_bytes", "bytes sent on the bridge by all nodes while idle", "B/s", "lower"),
        ("bytes_change", "bytes on the wire per change, to all peers together, idle traffic removed", "B", "lower"),
    ]
    result = {
        "suite": "cluster",
        "title": "Clusters: convergence, failure purge and idle cost",
        "description": " ".join(__doc__.split("\n\n", 1)[1].split()),
        "config": {"mode": "quick" if a.quick else "full", "nodes": sizes, "services": services, "idle_seconds": idle_s,
                   "daemon": "-Xmx128m -XX:+UseSerialGC --dns=false, --neighbors = the first three nodes", "client_retry_ms": 5},
        "labels": labels,
        "measures": [{"id": i, "name": name, "unit": unit, "better": better, "samples": m[i]} for i, name, unit, better in measures if m[i]],
        "notes": ["Aims (the clusters issue): convergence p99 at most 200 ms at 10 nodes; purge at most 5 s; idle CPU at most 1% of a core per node.",
                  "Convergence includes the client's retry interval (5 ms) and a trapped connect per retry on every node."],
    }
    if a.json:
        path = os.path.join(os.environ.get("AX_BENCH_CWD", ROOT), a.json)
        with open(path, "w") as f:
            json.dump(result, f, indent=1)
    print("| measure | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for i, name, unit, _ in measures:
        print(f"| {name} ({unit}) | " + " | ".join(f"{statistics.median(m[i][l]):.1f}" if l in m[i] else "" for l in labels) + " |")


if __name__ == "__main__":
    main()
