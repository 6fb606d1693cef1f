package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes, each a network namespace with its own daemon, joined on a bridge into one
 * cluster; real servers (python's http.server, answering with their node's name) and real
 * clients (curl) under {@code ax run}. The web app runs on node2 and node3 at one --ip and name;
 * clients run on node1. The later tests break the cluster (restart, partition, kill) and each
 * leaves it whole again for the next, hence the order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static final String WEB = "198.18.0.10:8000";
  private static final Duration CONNECT = Duration.ofSeconds(15);
  @TempDir static Path tmp;
  static NetnsCluster cluster;
  static NetnsCluster.Node n1;
  static NetnsCluster.Node n2;
  static NetnsCluster.Node n3;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = NetnsCluster.create(tmp, 3);
    n1 = cluster.node(1);
    n2 = cluster.node(2);
    n3 = cluster.node(3);
    // ALLOW_ANY: the egress test's outside host is a namespace this test makes, and the nodes'
    // namespaces have no route off this machine.
    for (NetnsCluster.Node n : cluster.nodes()) {
      n.start(n == n3 ? new String[] {"--egress-gateway", "--outbound-traffic-policy", "ALLOW_ANY"} : new String[] {"--outbound-traffic-policy", "ALLOW_ANY"});
    }
    // A host outside the cluster that only node3, the egress gateway, can reach.
    cluster.outside(n3);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      for (NetnsCluster.Node n : cluster.nodes()) {
        JsonNode nodes = n.rest("nodes");
        assertThat(nodes).as(n.name() + "'s nodes").isNotNull().hasSize(3);
      }
    });
    serveWeb(n2);
    serveWeb(n3);
    awaitOwners(n1, "node2", "node3");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** python's http.server under ax run at 198.18.0.10:8000 as "web", answering with the node's name. */
  private static void serveWeb(NetnsCluster.Node n) throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("www-" + n.name()));
    Files.writeString(docs.resolve("index.html"), n.name());
    n.serve("--ip", "198.18.0.10", "--name", "web", "--labels", "zone=default,role=web", "--", "python3", "-m", "http.server", "8000", "--bind", "0.0.0.0", "--directory", docs.toString());
  }

  private static void awaitOwners(NetnsCluster.Node on, String... owners) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(on.ownersAt(WEB)).as("entries for " + WEB + " on " + on.name() + "\n" + on.logTail()).containsExactlyInAnyOrder(owners));
  }

  /** curl under ax run on {@code from}; the body, or a failed assertion with what curl said. */
  private static String fetch(NetnsCluster.Node from, String url, String... axRunFlags) {
    List<String> args = new ArrayList<>(List.of(axRunFlags));
    args.addAll(List.of("--", "curl", "-s", "-S", "-m", "5", url));
    AxProcess.Result r = from.run(CONNECT, args.toArray(String[]::new));
    assertThat(r.exit()).as("curl " + url + " from " + from.name() + ": " + r.err()).isZero();
    return r.out().strip();
  }

  @Test
  @Order(1)
  void everyNode_holdsEveryNodesEntries_andListsEveryNodeAlive() {
    for (NetnsCluster.Node n : cluster.nodes()) {
      assertThat(n.ownersAt(WEB)).as(n.name()).containsExactlyInAnyOrder("node2", "node3");
    }
    AxProcess.Result nodes = n1.ax("get", "nodes");
    assertThat(nodes.exit()).as(nodes.err()).isZero();
    List<String> rows = nodes.out().lines().skip(2).toList();
    assertThat(rows).hasSize(3).allSatisfy(row -> assertThat(row).endsWith("Alive"));
    assertThat(rows).anySatisfy(row -> assertThat(row).startsWith("node2").contains(n2.ip));
  }

  @Test
  @Order(2)
  void aClientOnNode1_reachesTheAppOnOtherNodes_byIp_byName_andByVService() {
    assertThat(fetch(n1, "http://198.18.0.10:8000/")).isIn("node2", "node3");
    assertThat(fetch(n1, "http://web:8000/")).isIn("node2", "node3");

    AxProcess.Result created = n3.ax("create", "vservice", "webvs", "--ip", "198.19.0.1", "--ports", "80:8000", "--backends", "198.18.0.10");
    assertThat(created.exit()).as(created.err()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      JsonNode vs = n1.rest("vservices");
      return vs != null && vs.size() == 1;
    });
    assertThat(fetch(n1, "http://198.19.0.1/")).isIn("node2", "node3");
    assertThat(n2.ax("delete", "vservice", "webvs").exit()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      JsonNode vs = n1.rest("vservices");
      return vs != null && vs.isEmpty();
    });
  }

  @Test
  @Order(3)
  void connectsFromNode1_areBalancedOverNode2AndNode3() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      seen.add(fetch(n1, "http://198.18.0.10:8000/"));
    }
    assertThat(seen).containsExactlyInAnyOrder("node2", "node3");
  }

  @Test
  @Order(4)
  void aWatchOnNode1_streamsAServerThatStartsOnNode3() throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", n1.ns));
    cmd.addAll(AxProcess.java("get", "servers", "--watch", "-o", "json", "--admin", n1.runDir.resolve("admin.sock").toString()));
    Process watch = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = nextLine(lines); !line.equals("{\"type\":\"SYNCED\"}"); line = nextLine(lines)) {
        // the replay of what is there already
      }
      n3.serve("--ip", "198.18.0.40", "--", "python3", "-m", "http.server", "8000", "--bind", "0.0.0.0", "--directory", tmp.toString());

      String added;
      do {
        added = nextLine(lines);
      } while (!added.contains("198.18.0.40"));
      assertThat(added).contains("\"type\":\"ADDED\"").contains("\"node_id\":\"node3\"");
    } finally {
      watch.destroy();
      watch.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String nextLine(BufferedReader lines) throws Exception {
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        return lines.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }).get(30, TimeUnit.SECONDS);
    assertThat(line).as("the watch ended early").isNotNull();
    return line;
  }

  @Test
  @Order(5)
  void theLabelAcl_holdsAcrossNodes() {
    n2.serve("--ip", "198.18.0.20", "--labels", "role=db", "--", "python3", "-m", "http.server", "8000", "--bind", "0.0.0.0", "--directory", tmp.toString());
    await().atMost(Duration.ofSeconds(30)).until(() -> n1.serversAt("198.18.0.20:8000") == 1);

    AxProcess.Result stranger = n1.run(CONNECT, "--", "curl", "-s", "-m", "5", "-o", "/dev/null", "http://198.18.0.20:8000/");
    AxProcess.Result member = n1.run(CONNECT, "--labels", "role=db", "--", "curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", "http://198.18.0.20:8000/");

    assertThat(stranger.exit()).as("a client without role=db (curl's exit)").isEqualTo(7);
    assertThat(member.out()).as(member.err()).isEqualTo("200");
  }

  /** The dialers ({@code IP:PORT}) that {@code on} lists for its proxy {@code id}; none when it has no such proxy. */
  private static List<String> dialersOf(NetnsCluster.Node on, String id) {
    List<String> out = new ArrayList<>();
    JsonNode proxies = on.rest("proxies");
    if (proxies != null) {
      for (JsonNode p : proxies) {
        if (p.get("id").asText().equals(id) && p.has("dialers")) {
          p.get("dialers").forEach(d -> out.add(d.get("ip").asText() + ":" + d.get("port").asInt()));
        }
      }
    }
    return out;
  }

  /** curl from {@code from}'s namespace, outside the mesh (not under ax run): the body. */
  private static String fetchOutside(NetnsCluster.Node from, String url) {
    AxProcess.Result r = NetnsCluster.exec(CONNECT, "ip", "netns", "exec", from.ns, "curl", "-s", "-S", "-m", "5", url);
    assertThat(r.exit()).as("curl " + url + " from outside the mesh in " + from.name() + ": " + r.err()).isZero();
    return r.out().strip();
  }

  @Test
  @Order(6)
  void anAppExposedOnEveryNode_andAnExternalVService_answerOutsideClientsOnEveryNode() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("www-exposed"));
    Files.writeString(docs.resolve("index.html"), "exposed on node3");
    n3.serve("--ip", "198.18.0.41", "--expose", "8000:0.0.0.0:31080", "--", "python3", "-m", "http.server", "8000", "--bind", "0.0.0.0", "--directory", docs.toString());

    // node1 and node2 proxy 31080 to node3's socket; node3's own socket answers there itself.
    for (NetnsCluster.Node n : List.of(n1, n2)) {
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertThat(dialersOf(n, "expose-31080")).as(n.name() + "'s proxy").containsExactly(n3.ip + ":31080"));
    }
    assertThat(n3.rest("proxies")).as("node3 serves 31080 with the app's own socket").isEmpty();
    for (NetnsCluster.Node n : cluster.nodes()) {
      assertThat(fetchOutside(n1, "http://" + n.ip + ":31080/")).as("through " + n.name()).isEqualTo("exposed on node3");
    }
    AxProcess.Result listed = n1.ax("get", "proxies");
    assertThat(listed.exit()).as(listed.err()).isZero();
    assertThat(listed.out()).contains("expose-31080").contains("0.0.0.0:31080").contains(n3.ip + ":31080");

    // Exposed on node2's IP by an app on node3: node2 alone proxies it, to the app's pool port.
    n3.serve("--ip", "198.18.0.42", "--expose", "8000:" + n2.ip + ":31085", "--", "python3", "-m", "http.server", "8000", "--bind", "0.0.0.0", "--directory", docs.toString());
    // The listener opens when the app registers; it has a dialer once the app's socket listens.
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(dialersOf(n2, "expose-31085")).anySatisfy(d -> assertThat(d).startsWith(n3.ip + ":")));
    assertThat(fetchOutside(n1, "http://" + n2.ip + ":31085/")).isEqualTo("exposed on node3");
    assertThat(n1.rest("proxies").toString()).doesNotContain("31085");

    // An external vservice in front of web (on node2 and node3) opens its vport on every node.
    AxProcess.Result created = n2.ax("create", "vservice", "webext", "--ip", "198.19.0.2", "--ports", "31090:8000", "--backends", "198.18.0.10", "--external");
    assertThat(created.exit()).as(created.err()).isZero();
    for (NetnsCluster.Node n : cluster.nodes()) {
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertThat(n.rest("proxies").toString()).as(n.name()).contains("vservice-webext-31090"));
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 10; i++) {
        seen.add(fetchOutside(n1, "http://" + n.ip + ":31090/"));
      }
      assertThat(seen).as("balanced through " + n.name()).containsExactlyInAnyOrder("node2", "node3");
    }
    assertThat(n1.ax("delete", "vservice", "webext").exit()).isZero();
    for (NetnsCluster.Node n : cluster.nodes()) {
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertThat(n.rest("proxies").toString()).as(n.name()).doesNotContain("webext"));
    }
  }

  @Test
  @Order(7)
  void aClientOnNode1_reachesAHostOutsideTheMesh_throughTheEgressGateway_transparently() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("www-outside"));
    Files.writeString(docs.resolve("index.html"), "outside");
    cluster.serveOutside("python3", "-m", "http.server", "8000", "--bind", NetnsCluster.OUTSIDE_IP, "--directory", docs.toString());
    String url = "http://" + NetnsCluster.OUTSIDE_IP + ":8000/";
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(NetnsCluster.exec(CONNECT, "ip", "netns", "exec", n3.ns, "curl", "-s", "-m", "2", url).out()).isEqualTo("outside"));
    // node1's own network has no way there...
    AxProcess.Result plain = NetnsCluster.exec(CONNECT, "ip", "netns", "exec", n1.ns, "curl", "-s", "-S", "-m", "3", url);
    assertThat(plain.exit()).as("a plain curl from node1").isNotZero();

    // ...but an app under ax run on node1 connects as usual, and node3 carries it.
    assertThat(fetch(n1, url)).isEqualTo("outside");
    assertThat(fetch(n2, url)).isEqualTo("outside");
    // The app saw a normal connection to the outside host: curl reports its address as the peer.
    AxProcess.Result peer = n1.run(CONNECT, "--", "curl", "-s", "-o", "/dev/null", "-w", "%{remote_ip}:%{remote_port}", url);
    assertThat(peer.out().strip()).isEqualTo(NetnsCluster.OUTSIDE_IP + ":8000");
  }

  @Test
  @Order(8)
  void aDaemonRestart_onNode2_losesNothingOfTheOtherNodes() {
    n2.stop();
    assertThat(n1.ownersAt(WEB)).as("node1 still holds node3's entry while node2 is away").contains("node3");
    n2.start();

    awaitOwners(n2, "node2", "node3");
    awaitOwners(n1, "node2", "node3");
  }

  @Test
  @Order(9)
  void aPartitionedNode_isPurged_andComesBackExactlyOnceAfterTheHeal() {
    n3.link(false);
    awaitOwners(n1, "node2");
    assertThat(fetch(n1, "http://198.18.0.10:8000/")).isEqualTo("node2");

    n3.link(true);

    awaitOwners(n1, "node2", "node3");
    awaitOwners(n3, "node2", "node3");
  }

  @Test
  @Order(10)
  void aKilledDaemon_hasItsEntriesPurgedWithinFiveSeconds_andClientsFailOverToTheSurvivor() {
    long start = System.nanoTime();
    n3.kill();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> n1.ownersAt(WEB).equals(List.of("node2")) && n2.ownersAt(WEB).equals(List.of("node2")));
    long purgeMs = (System.nanoTime() - start) / 1_000_000;
    System.out.println("[ClusterIT] node3's entries were purged from node1 and node2 " + purgeMs + " ms after SIGKILL");

    for (int i = 0; i < 5; i++) {
      assertThat(fetch(n1, "http://198.18.0.10:8000/")).isEqualTo("node2");
    }
    AxProcess.Result nodes = n1.ax("get", "nodes");
    assertThat(nodes.out().lines().filter(l -> l.startsWith("node3")).findFirst().orElseThrow()).endsWith("Dead");
  }
}
