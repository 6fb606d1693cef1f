"""Driver of ci/bench/xds.sh (see there). Python so that it can time watch lines precisely."""
import json, math, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, threading, time

def parse_args(argv):
    """--quick, --keep (leave the logs) and --json FILE (results for ci/bench/report.py)."""
    quick, keep, out, i = False, False, None, 0
    while i < len(argv):
        if argv[i] == "--quick":
            quick = True
        elif argv[i] == "--keep":
            keep = True
        elif argv[i] == "--json" and i + 1 < len(argv):
            out = os.path.join(os.environ.get("AX_BENCH_CWD", "."), argv[i + 1])
            i += 1
        else:
            sys.exit(f"ci/bench/xds.sh: unknown argument '{argv[i]}' (expected --quick, --keep or --json FILE)")
        i += 1
    return quick, keep, out


QUICK, KEEP, JSON_OUT = parse_args(sys.argv[1:])
SERVICES, ENDPOINTS, CHANGES = (1000, 10, 5) if QUICK else (10000, 10, 20)
JAVA = os.environ["JAVA"]
JAR = os.path.abspath("ax-cli/target/ax.jar")
WORK = tempfile.mkdtemp(prefix="ax-xdsbench.")
PROCS = []


def ax(*args, log=None):
    cmd = [JAVA, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-jar", JAR, *args]
    out = open(os.path.join(WORK, log), "w") if log else subprocess.PIPE
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT if log else subprocess.DEVNULL, text=True)
    PROCS.append(p)
    return p


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, cond, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    sys.exit(f"xds bench: timed out waiting for {what}; logs in {WORK}")


def log_has(name, pattern):
    path = os.path.join(WORK, name)
    return os.path.exists(path) and re.search(pattern, open(path).read(), re.M) is not None


def peak_rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Watch:
    """ax get vservices --watch -o json, read on a thread; lines are kept with their arrival time."""

    def __init__(self, admin):
        self.proc = ax("get", "vservices", "--watch", "-o", "json", "--admin", admin)
        self.cond = threading.Condition()
        self.events = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            e = json.loads(line)
            with self.cond:
                self.events.append((time.monotonic(), e))
                self.cond.notify_all()

    def wait(self, pred, timeout, start_index=0):
        """Index and time of the first event from start_index on that matches pred."""
        end = time.monotonic() + timeout
        i = start_index
        with self.cond:
            while True:
                while i < len(self.events):
                    t, e = self.events[i]
                    if pred(e):
                        return i, t
                    i += 1
                left = end - time.monotonic()
                if left <= 0:
                    sys.exit(f"xds bench: timed out waiting for a vservice event; logs in {WORK}")
                self.cond.wait(left)

    def count(self):
        with self.cond:
            return len(self.events)


def generate(config, services, endpoints):
    """Kubernetes Services (clusterIP 10.96.x.y, port 9080) and WorkloadEntries, 1000 a file."""
    os.makedirs(config, exist_ok=True)
    per_file = 1000
    for start in range(0, services, per_file):
        with open(os.path.join(config, f"svc-{start:05d}.yaml"), "w") as f:
            for i in range(start, min(services, start + per_file)):
                f.write(f"""apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
  namespace: bench
spec:
  clusterIP: 10.96.{i // 250}.{i % 250 + 1}
  selector:
    app: svc-{i}
  ports:
  - name: http
    port: 9080
    targetPort: 8080
---
""")
                for j in range(endpoints):
                    n = i * endpoints + j
                    f.write(f"""apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: svc-{i}-{j}
  namespace: bench
spec:
  address: 10.{128 + n // 65536}.{n // 256 % 256}.{n % 256}
  labels:
    app: svc-{i}
---
""")


def destination_rule(lb):
    return f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: svc-1
  namespace: bench
spec:
  host: svc-1
  trafficPolicy:
    loadBalancer:
      simple: {lb}
"""


def propagation(config, watch, changes):
    """Milliseconds from writing a DestinationRule for svc-1 to the daemon's change, per change."""
    times = []
    for k in range(changes):
        lb = "RANDOM" if k % 2 == 0 else "LEAST_REQUEST"
        want = "RANDOM" if lb == "RANDOM" else "LEAST_CONN"
        mark = watch.count()
        tmp = os.path.join(config, ".dr.tmp")
        with open(tmp, "w") as f:
            f.write(destination_rule(lb))
        start = time.monotonic()
        os.rename(tmp, os.path.join(config, "dr-svc-1.yaml"))  # atomic, as editors and kubectl-like tools write
        _, t = watch.wait(lambda e: e.get("type") == "MODIFIED" and e["vservice"]["name"] == "svc-1.bench-9080"
                          and e["vservice"].get("lb_type") == want, 60, mark)
        times.append((t - start) * 1000)
        time.sleep(0.2)
    os.remove(os.path.join(config, "dr-svc-1.yaml"))
    return times


def main():
    rest = free_port()
    run = os.path.join(WORK, "run")
    admin = os.path.join(run, "admin.sock")
    daemon = ax("daemon", "--run-dir", run, "--rest-port", str(rest), "--dns=false", log="daemon.log")
    wait_for("the daemon", lambda: os.path.exists(admin), 60)
    time.sleep(1)
    watch = Watch(admin)
    watch.wait(lambda e: e.get("type") == "SYNCED", 60)
    daemon_base = rss_mib(daemon.pid)

    config = os.path.join(WORK, "istio")
    print(f"==> generating {SERVICES} services with {ENDPOINTS} endpoints each", file=sys.stderr)
    generate(config, SERVICES, ENDPOINTS)
    mib = sum(os.path.getsize(os.path.join(config, f)) for f in os.listdir(config)) / 2**20
    port = free_port()
    t0 = time.monotonic()
    pilot = ax("pilot", "--config", config, "--port", str(port), "--address", "127.0.0.1", log="pilot.log")
    wait_for("pilot-lite", lambda: log_has("pilot.log", rf"serving {SERVICES} services"), 600)
    t_pilot = time.monotonic() - t0

    print("==> agent: translate and push", file=sys.stderr)
    mark = watch.count()
    t1 = time.monotonic()
    agent = ax("agent", "--pilot", f"127.0.0.1:{port}", "--admin-socket", admin, log="agent.log")
    seen = set()

    def all_added(e):
        if e.get("type") == "ADDED" and e["vservice"].get("owner") == "xds-agent":
            seen.add(e["vservice"]["name"])
        return len(seen) >= SERVICES

    _, t_done = watch.wait(all_added, 600, mark)
    t_push = t_done - t1

    print("==> propagation of a DestinationRule, all services loaded", file=sys.stderr)
    big = propagation(config, watch, CHANGES)

    mem = {name: (peak_rss_mib(p.pid), rss_mib(p.pid)) for name, p in (("pilot-lite", pilot), ("agent", agent), ("daemon", daemon))}
    q = lambda xs, p: sorted(xs)[max(0, math.ceil(p * len(xs)) - 1)]  # nearest rank
    print()
    print(f"Control plane, {SERVICES} services x {ENDPOINTS} endpoints ({SERVICES * ENDPOINTS} endpoints, {mib:.1f} MiB of YAML){' [quick]' if QUICK else ''}")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| pilot-lite start to serving all services | {t_pilot:.2f} s |")
    print(f"| agent start to the daemon holding all vservices (connect, CDS/EDS/LDS/RDS, translate, Apply) | {t_push:.2f} s |")
    print(f"| DestinationRule file to daemon vservice, p50 / p95 / max ({CHANGES} changes) | {statistics.median(big):.0f} / {q(big, 0.95):.0f} / {max(big):.0f} ms |")
    for name, (peak, now) in mem.items():
        print(f"| {name} memory, peak RSS / RSS now | {peak:.0f} / {now:.0f} MiB |")
    print(f"| daemon RSS before the services | {daemon_base:.0f} MiB |")
    print()
    print(f"(logs: {WORK})" if KEEP else "")
    if JSON_OUT:
        write_json(mib, t_pilot, t_push, big, mem, daemon_base)


def write_json(mib, t_pilot, t_push, changes, mem, daemon_base):
    label = f"{SERVICES:,} services"
    one = lambda v: {label: [v]}
    q = lambda xs, p: sorted(xs)[max(0, math.ceil(p * len(xs)) - 1)]  # nearest rank
    measures = [
        {"id": "change_ms", "name": "DestinationRule written to decision updated (each change)", "unit": "ms", "better": "lower",
         "samples": {label: changes}},
        {"id": "change_p95_ms", "name": "the same, p95", "unit": "ms", "better": "lower", "samples": one(q(changes, 0.95))},
        {"id": "change_max_ms", "name": "the same, max", "unit": "ms", "better": "lower", "samples": one(max(changes))},
        {"id": "pilot_start_s", "name": "pilot-lite start to serving every service", "unit": "s", "better": "lower", "samples": one(t_pilot)},
        {"id": "agent_push_s", "name": "agent start to the daemon holding every vservice", "unit": "s", "better": "lower", "samples": one(t_push)},
    ]
    for name, (peak, _) in mem.items():
        measures.append({"id": f"{name.replace('-', '_')}_peak_rss_mib", "name": f"{name} peak RSS", "unit": "MiB", "better": None, "samples": one(peak)})
    measures.append({"id": "daemon_idle_rss_mib", "name": "daemon RSS before the services", "unit": "MiB", "better": None, "samples": one(daemon_base)})
    result = {
        "suite": "controlplane",
        "title": "Control plane: pilot-lite to the daemon's decision",
        "description": f"pilot-lite serves {SERVICES:,} Kubernetes Services with {ENDPOINTS} WorkloadEntries each "
                       f"({SERVICES * ENDPOINTS:,} endpoints, {mib:.1f} MiB of YAML); the xDS agent subscribes (CDS, EDS, LDS, RDS), "
                       "translates and applies them to the daemon. Then a DestinationRule is written into pilot-lite's "
                       f"directory {CHANGES} times, switching one service between RANDOM and LEAST_REQUEST, and each change "
                       "is timed until the daemon's watch (`ax get vservices --watch`) shows the new policy. The watch "
                       "reports a vservice once the daemon has swapped in the snapshot its connect() decisions read, so "
                       "this is the time until the change is enforced. All three are real processes.",
        "config": {"services": SERVICES, "endpoints per service": ENDPOINTS, "changes": CHANGES},
        "baseline": None,
        "labels": [label],
        "measures": measures,
        "notes": [],
    }
    with open(JSON_OUT, "w") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)


def cleanup(*_):
    for p in reversed(PROCS):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in PROCS:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
    if not KEEP:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        cleanup()
