package io.ax.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * N nodes on one machine, as a cluster test needs them: a "switch" network namespace holding a
 * bridge, and one namespace per node joined to it by a veth pair, with 10.X.0.K/24 on the node's
 * side. Each node runs its own ax daemon (its own run directory, REST on the namespace's
 * loopback) and its apps under {@code ax run}, all inside its namespace. Nothing is created in
 * the host's own namespace, and no namespace has a route out, so no test traffic can leave.
 * {@link #close()} kills what it started and deletes every namespace, also after a failure.
 */
final class NetnsCluster implements AutoCloseable {
  private static final String PREFIX = "axit-";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Ids of this JVM's clusters that are not closed: their namespaces are not stale, even before a daemon runs in them. */
  private static final java.util.Set<String> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final String id = Integer.toString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff), 16);
  private final int subnet;
  private final Path dir;
  private final List<Node> nodes = new ArrayList<>();
  private final List<Process> apps = new ArrayList<>();
  private String outsideNs;

  /** One node: its namespace, address, run directory and daemon. */
  final class Node {
    final int index;
    final String ns;
    final String ip;
    final Path runDir;
    final Path log;
    private Process daemon;

    Node(int index) {
      this.index = index;
      this.ns = PREFIX + id + "-n" + index;
      this.ip = "10." + subnet + ".0." + index;
      this.runDir = dir.resolve("node" + index);
      this.log = dir.resolve("node" + index + "-daemon.log");
    }

    String name() {
      return "node" + index;
    }

    NetnsCluster cluster() {
      return NetnsCluster.this;
    }

    /**
     * Starts the daemon with every node as a neighbor, plus {@code extra} flags; waits for its
     * admin socket. REGISTRY_ONLY unless {@code extra} says otherwise, as {@link AxProcess.Daemon}.
     */
    Node start(String... extra) {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
      cmd.addAll(AxProcess.java("daemon", "--run-dir", runDir.toString(), "--node-name", name(), "--node-interface", ip, "--neighbors", neighbors()));
      if (!List.of(extra).contains("--outbound-traffic-policy")) {
        cmd.addAll(List.of("--outbound-traffic-policy", "REGISTRY_ONLY"));
      }
      cmd.addAll(List.of(extra));
      // Small heaps, right after the java command: a test runs several daemons on a 2-core machine.
      List<String> withHeap = new ArrayList<>(cmd.subList(0, 5));
      withHeap.addAll(List.of("-Xmx160m", "-XX:+UseSerialGC"));
      withHeap.addAll(cmd.subList(5, cmd.size()));
      try {
        Files.createDirectories(runDir);
        daemon = new ProcessBuilder(withHeap).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Process started = daemon;
      await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100)).until(() -> {
        if (!started.isAlive()) {
          throw new AssertionError(name() + "'s daemon exited with " + started.exitValue() + ":\n" + logTail());
        }
        return rest("nodes") != null;
      });
      return this;
    }

    /** SIGKILL: the daemon dies with no goodbye, as in a crash. */
    void kill() {
      daemon.destroyForcibly();
      waitFor(daemon);
    }

    /** SIGTERM: an operator's stop. */
    void stop() {
      daemon.destroy();
      waitFor(daemon);
    }

    /** Cuts (false) or restores (true) the node's link to the bridge. */
    void link(boolean up) {
      sh("ip", "-n", switchNs(), "link", "set", "v" + id + "n" + index, up ? "up" : "down");
    }

    /**
     * A REST resource of this node's daemon (an empty list is a missing node, since protobuf's
     * JSON leaves empty lists out), or null when the daemon does not answer.
     */
    JsonNode rest(String resource) {
      AxProcess.Result r = exec(Duration.ofSeconds(10), "ip", "netns", "exec", ns, "curl", "-s", "-m", "3", "http://127.0.0.1:6664/appswitch/v1/" + resource);
      if (r.exit() != 0 || r.out().isBlank()) {
        return null;
      }
      try {
        return JSON.readTree(r.out()).path(resource);
      } catch (IOException e) {
        return null;
      }
    }

    /** How many of this node's service table entries serve {@code serviceAddr}, e.g. "198.18.0.10:8000". */
    int serversAt(String serviceAddr) {
      JsonNode servers = rest("servers");
      int n = 0;
      if (servers != null) {
        for (JsonNode s : servers) {
          JsonNode a = s.get("service_addr");
          if ((a.get("ip").asText() + ":" + a.get("port").asInt()).equals(serviceAddr)) {
            n++;
          }
        }
      }
      return n;
    }

    /** The node names this node's table holds entries of, for serviceAddr. */
    List<String> ownersAt(String serviceAddr) {
      JsonNode servers = rest("servers");
      List<String> owners = new ArrayList<>();
      if (servers != null) {
        for (JsonNode s : servers) {
          JsonNode a = s.get("service_addr");
          if ((a.get("ip").asText() + ":" + a.get("port").asInt()).equals(serviceAddr)) {
            owners.add(s.get("node_id").asText());
          }
        }
      }
      return owners;
    }

    /** Starts a long-running program under {@code ax run} on this node. */
    Process serve(String... axRunArgs) {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, AxRun.LAUNCHER.toString(), "--run-dir", runDir.toString()));
      cmd.addAll(List.of(axRunArgs));
      try {
        Path out = dir.resolve("app-" + apps.size() + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        apps.add(p);
        return p;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Runs a program under {@code ax run} on this node to completion. */
    AxProcess.Result run(Duration timeout, String... axRunArgs) {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, AxRun.LAUNCHER.toString(), "--run-dir", runDir.toString()));
      cmd.addAll(List.of(axRunArgs));
      return exec(timeout, cmd.toArray(String[]::new));
    }

    /** {@code ax ARGS} against this node's daemon. */
    AxProcess.Result ax(String... args) {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
      cmd.addAll(AxProcess.java(args));
      cmd.addAll(List.of("--admin", runDir.resolve("admin.sock").toString()));
      return exec(Duration.ofSeconds(60), cmd.toArray(String[]::new));
    }

    String logTail() {
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
      } catch (IOException e) {
        return "(no log: " + e.getMessage() + ")";
      }
    }
  }

  private NetnsCluster(Path dir, int subnet) {
    this.dir = dir;
    this.subnet = subnet;
  }

  /** Creates the switch and {@code n} node namespaces (no daemons yet). */
  static NetnsCluster create(Path dir, int n) {
    return create(dir, n, ThreadLocalRandom.current().nextInt(100, 250));
  }

  /** As {@link #create(Path, int)} on 10.{@code subnet}.0.0/24: two clusters on two networks take two subnets. */
  static NetnsCluster create(Path dir, int n, int subnet) {
    removeStale();
    NetnsCluster c = new NetnsCluster(dir, subnet);
    OPEN.add(c.id);
    try {
      c.sh("ip", "netns", "add", c.switchNs());
      c.sh("ip", "-n", c.switchNs(), "link", "add", "br0", "type", "bridge");
      c.sh("ip", "-n", c.switchNs(), "link", "set", "br0", "up");
      for (int i = 1; i <= n; i++) {
        Node node = c.new Node(i);
        String port = "v" + c.id + "n" + i;
        c.sh("ip", "netns", "add", node.ns);
        c.sh("ip", "-n", c.switchNs(), "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", node.ns);
        c.sh("ip", "-n", c.switchNs(), "link", "set", port, "master", "br0");
        c.sh("ip", "-n", c.switchNs(), "link", "set", port, "up");
        c.sh("ip", "-n", node.ns, "addr", "add", node.ip + "/24", "dev", "eth0");
        c.sh("ip", "-n", node.ns, "link", "set", "eth0", "up");
        c.sh("ip", "-n", node.ns, "link", "set", "lo", "up");
        c.nodes.add(node);
      }
      return c;
    } catch (RuntimeException | Error e) {
      c.close();
      throw e;
    }
  }

  Node node(int index) {
    return nodes.get(index - 1);
  }

  /** The address of the host outside the cluster, in its own namespace, that {@link #outside} makes. */
  static final String OUTSIDE_IP = "10.254.0.2";

  /**
   * A host outside the cluster that only {@code gateway} can reach: a namespace of its own on a
   * point-to-point link (10.254.0.0/30) to that node alone. The other nodes have no route to it.
   */
  void outside(Node gateway) {
    outsideNs = PREFIX + id + "-out";
    String link = "o" + id;
    sh("ip", "netns", "add", outsideNs);
    sh("ip", "-n", gateway.ns, "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", outsideNs);
    sh("ip", "-n", gateway.ns, "addr", "add", "10.254.0.1/30", "dev", link);
    sh("ip", "-n", gateway.ns, "link", "set", link, "up");
    sh("ip", "-n", outsideNs, "addr", "add", OUTSIDE_IP + "/30", "dev", "eth0");
    sh("ip", "-n", outsideNs, "link", "set", "eth0", "up");
    sh("ip", "-n", outsideNs, "link", "set", "lo", "up");
  }

  /**
   * A wide-area link between two nodes (of two clusters): a point-to-point veth pair on
   * 10.253.X.0/30 that no other node can reach, as a WAN that only federation gateways join.
   *
   * @return the two ends' addresses, {@code a}'s first
   */
  static String[] wan(Node a, Node b) {
    int x = ThreadLocalRandom.current().nextInt(1, 250);
    String[] ips = {"10.253." + x + ".1", "10.253." + x + ".2"};
    String link = "w" + a.cluster().id;
    a.cluster().sh("ip", "-n", a.ns, "link", "add", link, "type", "veth", "peer", "name", link, "netns", b.ns);
    a.cluster().sh("ip", "-n", a.ns, "addr", "add", ips[0] + "/30", "dev", link);
    a.cluster().sh("ip", "-n", b.ns, "addr", "add", ips[1] + "/30", "dev", link);
    a.cluster().sh("ip", "-n", a.ns, "link", "set", link, "up");
    a.cluster().sh("ip", "-n", b.ns, "link", "set", link, "up");
    return ips;
  }

  /** Starts a plain program (not under ax) on the outside host. */
  Process serveOutside(String... cmd) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", outsideNs));
    full.addAll(List.of(cmd));
    try {
      Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(dir.resolve("outside-" + apps.size() + ".log").toFile()).start();
      apps.add(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<Node> nodes() {
    return List.copyOf(nodes);
  }

  private String switchNs() {
    return PREFIX + id + "-sw";
  }

  private String neighbors() {
    return String.join(",", nodes.stream().map(n -> n.ip).toList());
  }

  @Override
  public void close() {
    for (Process p : apps) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Node n : nodes) {
      if (n.daemon != null) {
        n.daemon.destroyForcibly();
        waitFor(n.daemon);
      }
    }
    for (Node n : nodes) {
      exec(Duration.ofSeconds(10), "ip", "netns", "del", n.ns);
    }
    exec(Duration.ofSeconds(10), "ip", "netns", "del", switchNs());
    OPEN.remove(id);
    if (outsideNs != null) {
      exec(Duration.ofSeconds(10), "ip", "netns", "del", outsideNs);
    }
  }

  /** Namespaces left by a run that was killed before it could clean up. */
  private static void removeStale() {
    AxProcess.Result list = exec(Duration.ofSeconds(10), "ip", "netns", "list");
    for (String line : list.out().lines().toList()) {
      String name = line.split("\\s+")[0];
      if (name.startsWith(PREFIX) && OPEN.stream().noneMatch(open -> name.startsWith(PREFIX + open + "-")) && staleOwner(name)) {
        exec(Duration.ofSeconds(10), "ip", "netns", "del", name);
      }
    }
  }

  /** Whether no process lives in the namespace (another run's live namespaces are left alone). */
  private static boolean staleOwner(String ns) {
    return exec(Duration.ofSeconds(10), "ip", "netns", "pids", ns).out().isBlank();
  }

  private void sh(String... cmd) {
    AxProcess.Result r = exec(Duration.ofSeconds(20), cmd);
    if (r.exit() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " failed (" + r.exit() + "): " + r.err() + r.out());
    }
  }

  static AxProcess.Result exec(Duration timeout, String... cmd) {
    return AxRun.run(new ProcessBuilder(cmd), timeout);
  }

  private static void waitFor(Process p) {
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
