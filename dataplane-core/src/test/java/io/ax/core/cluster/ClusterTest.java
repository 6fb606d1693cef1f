package io.ax.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.cluster.v1.NodeMeta;
import io.ax.cluster.v1.PeerMessage;
import io.ax.cluster.v1.Snapshot;
import io.ax.cluster.v1.VServiceUpdate;
import io.ax.cluster.v1.VServiceUpdates;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.model.NodeInfo;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.proto.Protos;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StateFixtures;
import io.ax.core.state.StatePersistence;
import java.net.InetAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clusters in one JVM: three daemons' stores and {@link Cluster}s on 127.0.0.1-3, speaking
 * JGroups over loopback TCP. What crosses the network and what the stores end up holding is what
 * the daemons do; only the apps' own changes (what ax run and the bridge would commit) are written
 * straight into the stores.
 */
class ClusterTest {
  @TempDir Path dir;
  // One port per test on three loopback addresses; random so that parallel runs do not meet.
  private final int port = ThreadLocalRandom.current().nextInt(20_000, 30_000);
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  private record Node(String name, DataplaneStore store, Cluster cluster) {}

  private Node node(int i) {
    return node(i, config());
  }

  private Node node(int i, ClusterConfig config) {
    return node(i, config, DataplaneState.EMPTY, StatePersistence.NONE);
  }

  private Node node(int i, ClusterConfig config, DataplaneState initial, StatePersistence persistence) {
    String name = "node" + i;
    DataplaneStore store = new DataplaneStore(initial, persistence);
    Cluster cluster = Cluster.start(config, store, self(i), dir.resolve(name + "-cluster.pb"));
    open.add(cluster);
    return new Node(name, store, cluster);
  }

  private static Cluster.Self self(int i) {
    return new Cluster.Self("node" + i, "test", "127.0.0." + i, "", List.of("compute"));
  }

  private ClusterConfig config() {
    List<InetSocketAddress> hosts = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      hosts.add(new InetSocketAddress("127.0.0." + i, port));
    }
    return new ClusterConfig(port, hosts, false, Optional.empty(), ClusterConfig.Timing.DEFAULT, ClusterConfig.Limits.DEFAULT);
  }

  private static App app(String node, String id, String ip, String labels) {
    return new App(new AppId(id), "web-" + id, node, "test", Ipv4.parse("ip", ip), "user", Labels.parse("labels", labels), 1);
  }

  private static ServerEntry server(String node, String appId, String serviceAddr, String hostAddr) {
    return new ServerEntry(
        node + "/" + appId, new AppId(appId), "web", Transport.TCP, Endpoints.parse("s", serviceAddr), Endpoints.parse("h", hostAddr), Labels.parse("l", "role=web"), node, "test");
  }

  private static SocketEntry socket(String node, String appId) {
    return new SocketEntry(node + "/" + appId, node, new AppId(appId), 42, Transport.TCP, 0, Endpoints.of("198.18.0.1", 80), 128);
  }

  private static void awaitOn(List<Node> nodes, Predicate<DataplaneState> condition) {
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
      for (Node n : nodes) {
        assertThat(condition.test(n.store().current())).as("on " + n.name()).isTrue();
      }
    });
  }

  private static void awaitMembers(Node n, int count) {
    await().atMost(Duration.ofSeconds(15)).until(() -> n.cluster().memberNames().size() == count);
  }

  @Test
  void ownedEntries_reachEveryNode_andGoWithTheirApp() {
    Node a = node(1);
    Node b = node(2);
    Node c = node(3);
    List<Node> all = List.of(a, b, c);

    a.store().putApp(app("node1", "a0000001", "198.18.0.1", "role=web"));
    a.store().publish(server("node1", "a0000001", "198.18.0.1:80", "127.0.0.1:40000"), socket("node1", "a0000001"));
    c.store().putApp(app("node3", "c0000001", "198.18.0.1", "role=web"));
    c.store().publish(server("node3", "c0000001", "198.18.0.1:80", "127.0.0.3:40000"), socket("node3", "c0000001"));

    awaitOn(all, s -> s.serversAt(Endpoints.of("198.18.0.1", 80)).size() == 2 && s.apps().size() == 2 && s.sockets().size() == 2);
    assertThat(b.store().current().serversAt(Endpoints.of("198.18.0.1", 80))).extracting(ServerEntry::hostAddr)
        .containsExactly(Endpoints.parse("h", "127.0.0.1:40000"), Endpoints.parse("h", "127.0.0.3:40000"));
    assertThat(b.cluster().nodes(b.store().current()).values()).extracting(NodeInfo::name, NodeInfo::appCount, NodeInfo::alive)
        .containsExactlyInAnyOrder(tuple("node1", 1, true), tuple("node2", 0, true), tuple("node3", 1, true));

    a.store().removeApp(new AppId("a0000001"));

    awaitOn(all, s -> s.serversAt(Endpoints.of("198.18.0.1", 80)).size() == 1 && s.apps().keySet().equals(Set.of(new AppId("c0000001"))) && s.sockets().size() == 1);
  }

  @Test
  void aNodeThatLeaves_hasItsEntriesPurged_andIsListedDead_untilItReturnsWithThemAgain() {
    Node a = node(1);
    Node b = node(2);
    Node c = node(3);
    c.store().putApp(app("node3", "c0000001", "198.18.0.9", ""));
    awaitOn(List.of(a, b), s -> s.apps().containsKey(new AppId("c0000001")));

    c.cluster().close();

    awaitOn(List.of(a, b), s -> s.apps().isEmpty());
    assertThat(a.cluster().nodes(a.store().current()).get("node3").alive()).isFalse();
    assertThat(c.store().current().apps()).as("the node keeps its own entries").hasSize(1);

    // Back on the same store, as after a daemon restart with its state file.
    Cluster again = Cluster.start(config(), c.store(), self(3), dir.resolve("node3-again.pb"));
    open.add(again);
    awaitOn(List.of(a, b), s -> s.apps().containsKey(new AppId("c0000001")));
    assertThat(a.cluster().nodes(a.store().current()).get("node3").alive()).isTrue();
  }

  @Test
  void vservices_writtenOnAnyNode_areEverywhere_andConcurrentWritesConverge() {
    Node a = node(1);
    Node b = node(2);
    Node c = node(3);
    List<Node> all = List.of(a, b, c);
    awaitMembers(a, 3);

    b.store().createVService(StateFixtures.vservice("web", "198.19.0.1", LbPolicy.RANDOM, List.of("80:8080"), "198.18.0.1"));
    awaitOn(all, s -> s.vservices().containsKey("web"));

    // The same name replaced on two nodes at once (as an agent's apply does): every node ends
    // with the same value.
    VService fromA = StateFixtures.vservice("web", "198.19.0.1", LbPolicy.RANDOM, List.of("80:8080"), "198.18.0.2");
    VService fromC = StateFixtures.vservice("web", "198.19.0.1", LbPolicy.ROUND_ROBIN, List.of("80:8080"), "198.18.0.3");
    a.store().commit(s -> s.withVService(fromA));
    c.store().commit(s -> s.withVService(fromC));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      VService onA = a.store().current().vservices().get("web");
      assertThat(onA).isIn(fromA, fromC);
      assertThat(b.store().current().vservices().get("web")).isEqualTo(onA);
      assertThat(c.store().current().vservices().get("web")).isEqualTo(onA);
    });

    c.store().deleteVService("web");
    awaitOn(all, s -> s.vservices().isEmpty());
  }

  @Test
  void aJoiningNode_getsTheVServicesAndEntriesAlreadyThere() {
    Node a = node(1);
    a.store().createVService(StateFixtures.vservice("db", "198.19.0.2", LbPolicy.RANDOM, List.of("5432:5432"), "198.18.0.5"));
    a.store().putApp(app("node1", "a0000001", "198.18.0.5", ""));

    Node b = node(2);

    awaitOn(List.of(b), s -> s.vservices().containsKey("db") && s.apps().containsKey(new AppId("a0000001")));
  }

  @Test
  void withTls_nodesOfTheCaJoin_andANodeWithAForeignCertificateNeverDoes() throws Exception {
    TestPki pki = new TestPki(dir);
    TestPki.Ca ca = pki.ca("ca");
    TestPki.Ca otherCa = pki.ca("other-ca");
    Node a = node(1, tlsConfig(pki.node(ca, "node1")));
    Node b = node(2, tlsConfig(pki.node(ca, "node2")));
    // The intruder trusts the cluster's CA too, so only the members' check of its certificate
    // can stop it.
    TestPki.NodeFiles foreign = pki.node(otherCa, "node3");
    Path bothCas = Files.writeString(dir.resolve("both.pem"), Files.readString(ca.cert()) + Files.readString(otherCa.cert()));
    Node intruder = node(3, tlsConfig(foreign, bothCas));

    a.store().putApp(app("node1", "a0000001", "198.18.0.1", ""));
    intruder.store().putApp(app("node3", "c0000001", "198.18.0.1", ""));

    awaitOn(List.of(b), s -> s.apps().containsKey(new AppId("a0000001")));
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() ->
        a.cluster().memberNames().size() == 2 && b.store().current().apps().size() == 1 && intruder.store().current().apps().size() == 1);
  }

  private ClusterConfig tlsConfig(TestPki.NodeFiles files) {
    return tlsConfig(files, files.ca());
  }

  /** A node presenting {@code files}' certificate and trusting {@code trusted}. */
  private ClusterConfig tlsConfig(TestPki.NodeFiles files, Path trusted) {
    ClusterConfig plain = config();
    return new ClusterConfig(
        plain.gossipPort(), plain.neighbors(), false, Optional.of(ClusterTls.load(trusted, files.cert(), files.key())), plain.timing(), plain.limits());
  }

  @Test
  void hostilePeer_garbageAndForgedEntries_areCountedAndDropped_andTheClusterGoesOn() throws Exception {
    Node a = node(1);
    Node b = node(2);
    a.store().putApp(app("node1", "a0000001", "198.18.0.1", ""));
    awaitOn(List.of(b), s -> s.apps().size() == 1);

    try (JChannel intruder = new JChannel(ClusterStack.build(config(), InetAddress.getByName("127.0.0.3")))) {
      intruder.name("intruder");
      intruder.connect("test");
      awaitMembers(b, 3);
      byte[] garbage = new byte[4096];
      new Random(7).nextBytes(garbage);
      intruder.send(new BytesMessage(null, garbage));
      intruder.send(new BytesMessage(null, new byte[0]));
      // A snapshot in the intruder's name holding an app of node1, one in node2's own name (to
      // node2) and one in node1's (to node2, while node1 lives).
      App stolen = app("node1", "a0000002", "198.18.0.1", "role=prod");
      intruder.send(new BytesMessage(null, PeerMessage.newBuilder()
          .setSnapshot(Snapshot.newBuilder().setNode(NodeMeta.newBuilder().setName("intruder")).addApps(Protos.app(stolen))).build().toByteArray()));
      intruder.send(new BytesMessage(null, PeerMessage.newBuilder()
          .setSnapshot(Snapshot.newBuilder().setNode(NodeMeta.newBuilder().setName("node2")).setIncarnation(Long.MAX_VALUE)).build().toByteArray()));
      intruder.send(new BytesMessage(null, PeerMessage.newBuilder()
          .setSnapshot(Snapshot.newBuilder().setNode(NodeMeta.newBuilder().setName("node1")).setIncarnation(Long.MAX_VALUE)).build().toByteArray()));

      // A snapshot in the name of node9, a node that is not a member: the intruder is "intruder".
      intruder.send(new BytesMessage(null, PeerMessage.newBuilder()
          .setSnapshot(Snapshot.newBuilder().setNode(NodeMeta.newBuilder().setName("node9")).addApps(Protos.app(app("node9", "a0000004", "198.18.0.4", "")))).build().toByteArray()));

      await().atMost(Duration.ofSeconds(15)).until(() -> b.cluster().stats().malformed() >= 6);
      assertThat(b.store().current().apps()).containsOnlyKeys(new AppId("a0000001"));
    }
    a.store().putApp(app("node1", "a0000003", "198.18.0.3", ""));
    awaitOn(List.of(b), s -> s.apps().size() == 2);
  }

  @Test
  void twoNodesThatPickedOneAppId_eachKeepItsOwn_andTheOthersEntriesNeverReplaceIt() {
    // Both picked a0000009 while apart (ids are 32 random bits per node).
    Node a = node(1, config(), DataplaneState.EMPTY.withApp(app("node1", "a0000009", "198.18.0.1", "")), StatePersistence.NONE);
    Node b = node(2, config(), DataplaneState.EMPTY.withApp(app("node2", "a0000009", "198.18.0.2", ""))
        .withServer(server("node2", "a0000009", "198.18.0.2:80", "127.0.0.2:40000")), StatePersistence.NONE);
    a.store().putApp(app("node1", "a0000001", "198.18.0.1", ""));
    b.store().putApp(app("node2", "b0000001", "198.18.0.2", ""));

    awaitOn(List.of(a, b), s -> s.apps().containsKey(new AppId("a0000001")) && s.apps().containsKey(new AppId("b0000001")));
    assertThat(a.store().current().apps().get(new AppId("a0000009")).nodeId()).isEqualTo("node1");
    assertThat(a.store().current().servers()).as("a server of node2's a0000009 names node1's app here").isEmpty();
    assertThat(b.store().current().apps().get(new AppId("a0000009")).nodeId()).isEqualTo("node2");
    assertThat(a.cluster().stats().malformed()).isPositive();

    // node1's app leaving takes nothing of node2's with it, here or there.
    a.store().removeApp(new AppId("a0000009"));
    b.store().putApp(app("node2", "b0000002", "198.18.0.2", ""));
    awaitOn(List.of(a), s -> s.apps().containsKey(new AppId("b0000002")));
    assertThat(b.store().current().apps().get(new AppId("a0000009")).nodeId()).isEqualTo("node2");
    assertThat(b.store().current().servers()).containsOnlyKeys("node2/a0000009");
  }

  private static VServiceUpdate update(String name, long clock, String origin, VService value) {
    VServiceUpdate.Builder u = VServiceUpdate.newBuilder().setName(name).setStamp(io.ax.cluster.v1.Stamp.newBuilder().setClock(clock).setOrigin(origin));
    if (value != null) {
      u.setValue(Protos.vservice(value));
    }
    return u.build();
  }

  @Test
  void aHeldBackVService_freedByADeletionOnOneNode_servesEverywhere_andALaterWriteThereKeepsIt() throws Exception {
    Node a = node(1);
    Node b = node(2);
    VService web = StateFixtures.vservice("web", "198.19.0.1", LbPolicy.RANDOM, List.of("80:8080"), "198.18.0.1");
    VService api = StateFixtures.vservice("api", "198.19.0.1", LbPolicy.RANDOM, List.of("80:8080"), "198.18.0.2");

    try (JChannel other = new JChannel(ClusterStack.build(config(), InetAddress.getByName("127.0.0.3")))) {
      // Two writes of one vIP:port made apart, as a healed partition brings them.
      other.name("node3");
      other.connect("test");
      awaitMembers(b, 3);
      other.send(new BytesMessage(null, PeerMessage.newBuilder()
          .setVservices(VServiceUpdates.newBuilder().addUpdates(update("web", 10, "node3", web)).addUpdates(update("api", 11, "node3", api))).build().toByteArray()));
      awaitOn(List.of(a, b), s -> s.vservices().keySet().equals(Set.of("api")));

      b.store().deleteVService("api");
      awaitOn(List.of(a, b), s -> s.vservices().keySet().equals(Set.of("web")));

      b.store().createVService(StateFixtures.vservice("db", "198.19.0.2", LbPolicy.RANDOM, List.of("5432:5432"), "198.18.0.5"));
      awaitOn(List.of(a, b), s -> s.vservices().keySet().equals(Set.of("web", "db")));
    }
  }

  @Test
  void vservicesANodeCouldNotSave_areNotTakenForItsOwnDeletions_later() {
    AtomicBoolean diskFull = new AtomicBoolean();
    Node a = node(1);
    Node b = node(2, config(), DataplaneState.EMPTY, state -> {
      if (diskFull.get()) {
        throw new IOException("No space left on device");
      }
    });
    awaitMembers(a, 2);

    diskFull.set(true);
    a.store().createVService(StateFixtures.vservice("web", "198.19.0.1", LbPolicy.RANDOM, List.of("80:8080"), "198.18.0.1"));
    await().atMost(Duration.ofSeconds(15)).until(() -> b.cluster().stats().malformed() > 0);
    diskFull.set(false);
    b.store().createVService(StateFixtures.vservice("db", "198.19.0.2", LbPolicy.RANDOM, List.of("5432:5432"), "198.18.0.5"));

    awaitOn(List.of(a), s -> s.vservices().containsKey("db"));
    assertThat(a.store().current().vservices()).containsOnlyKeys("web", "db");
    assertThat(b.store().current().vservices()).containsOnlyKeys("db");
  }
}
