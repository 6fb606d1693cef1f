package io.ax.core.decision;

import static io.ax.core.state.StateFixtures.app;
import static io.ax.core.state.StateFixtures.ip;
import static io.ax.core.state.StateFixtures.server;
import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.SeededLbState;
import io.ax.core.lb.SharedLbState;
import io.ax.core.model.App;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import io.ax.core.state.DataplaneState;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The connect decision as a table: one mesh, many clients and destinations. Connect targets are
 * compared as a multiset (each expected target exactly once, nothing else); their order belongs
 * to the policies and is checked in {@link ConnectDeciderOrderTest}.
 */
class ConnectDeciderTest {
  // Clients.
  static final App WEB = app("0000000a", "10.0.0.1", "zone=default");
  static final App TESTER = app("0000000b", "10.0.0.2", "role=test");
  static final App BOTH = app("0000000c", "10.0.0.3", "role=test,zone=default");
  static final App STRANGER = app("0000000d", "10.0.0.4", "team=x");
  static final App NO_LABELS = app("0000000e", "10.0.0.9", "");

  /**
   * Two databases on one service address (10.0.0.5:5432), told apart by labels; two API replicas
   * on 10.0.0.7:8080 (an implicit vservice); vservices in front of them and of external hosts.
   */
  static final DataplaneState MESH =
      DataplaneState.EMPTY
          .withApp(WEB)
          .withApp(TESTER)
          .withApp(BOTH)
          .withApp(STRANGER)
          .withApp(NO_LABELS)
          .withServer(server("db-prod", "000000d1", "10.0.0.5:5432", "192.168.1.10:40000", "zone=default,role=prod"))
          .withServer(server("db-test", "000000d2", "10.0.0.5:5432", "192.168.1.10:40001", "role=test"))
          .withServer(server("api-1", "000000a1", "10.0.0.7:8080", "192.168.1.10:40002", "zone=default"))
          .withServer(server("api-2", "000000a2", "10.0.0.7:8080", "192.168.1.11:40000", "zone=default"))
          .withVService(vservice("db", "10.96.0.1", LbPolicy.ROUND_ROBIN, List.of("5432"), "10.0.0.5"))
          .withVService(vservice("ext", "10.96.0.2", LbPolicy.RANDOM, List.of("80:8080", "443:8443"), "203.0.113.9", "203.0.113.10:9000"))
          .withVService(vservice("empty", "10.96.0.3", "80"))
          .withVService(vservice("mixed", "10.96.0.4", LbPolicy.RANDOM, List.of("80:8080"), "10.0.0.7", "203.0.113.9"))
          .withVService(vservice("api", "10.96.0.5", LbPolicy.RANDOM, List.of("80:8080", "81:9999"), "10.0.0.7:8080"));

  /** The real address of service table entry {@code id} (the id names it in the rows). */
  static Inet4Endpoint srv(String hostAddr, String id) {
    return Endpoints.parse("host", hostAddr);
  }

  static Inet4Endpoint ext(String addr) {
    return Endpoints.parse("addr", addr);
  }

  /** The id of the one service table entry of {@code state} really bound at {@code target}. */
  static String idAt(DataplaneState state, Inet4Endpoint target) {
    List<io.ax.core.model.ServerEntry> entries = state.serversAtHost(target);
    assertThat(entries).as("entries at %s", target).hasSize(1);
    return entries.getFirst().id();
  }

  static ConnectDecision connect(String via, Inet4Endpoint... targets) {
    return new ConnectDecision.Targets(via, List.of(targets));
  }

  /** A Deny whose reason must contain {@code fragment}. */
  static ConnectDecision deny(String fragment) {
    return new ConnectDecision.Refuse(Errno.ECONNREFUSED, fragment);
  }

  static final Inet4Endpoint DB_PROD = srv("192.168.1.10:40000", "db-prod");
  static final Inet4Endpoint DB_TEST = srv("192.168.1.10:40001", "db-test");
  static final Inet4Endpoint API_1 = srv("192.168.1.10:40002", "api-1");
  static final Inet4Endpoint API_2 = srv("192.168.1.11:40000", "api-2");

  static Stream<Arguments> table() {
    return Stream.of(
        // Explicit vservice whose backend names service table entries: their host addresses.
        row("vservice, entries: client reaches the entry sharing a label", WEB, "10.96.0.1:5432", connect("db", DB_PROD)),
        row("vservice, label ACL: role=test reaches only role=test on the same IP", TESTER, "10.96.0.1:5432", connect("db", DB_TEST)),
        row("vservice, label ACL: client sharing with both reaches both", BOTH, "10.96.0.1:5432", connect("db", DB_PROD, DB_TEST)),
        row("vservice, label ACL: client sharing no label is refused", STRANGER, "10.96.0.1:5432", deny("shares no label")),
        row("vservice, label ACL: client with no labels is refused", NO_LABELS, "10.96.0.1:5432", deny("shares no label")),
        row("vservice, backend with own port naming entries", WEB, "10.96.0.5:81", connect("api", API_1, API_2)),
        // External backends: no entry at backend-ip:app-port, so that address (or the backend's port).
        row("vservice, external: backend ip at app port, or backend port", WEB, "10.96.0.2:80", connect("ext", ext("203.0.113.9:8080"), ext("203.0.113.10:9000"))),
        row("vservice, external: app port follows the vport used", WEB, "10.96.0.2:443", connect("ext", ext("203.0.113.9:8443"), ext("203.0.113.10:9000"))),
        row("vservice, external: no label ACL outside the mesh", NO_LABELS, "10.96.0.2:80", connect("ext", ext("203.0.113.9:8080"), ext("203.0.113.10:9000"))),
        row("vservice, entries and external together", WEB, "10.96.0.4:80", connect("mixed", API_1, API_2, ext("203.0.113.9:8080"))),
        row("vservice, denied entries left out, external kept", STRANGER, "10.96.0.4:80", connect("mixed", ext("203.0.113.9:8080"))),
        row("vservice without backends is refused", WEB, "10.96.0.3:80", deny("no backends")),
        row("vservice without backends refuses even a labelless client", NO_LABELS, "10.96.0.3:80", deny("no backends")),
        // Implicit vservice: entries with the destination as service address, round robin.
        row("implicit: all entries sharing a label", WEB, "10.0.0.7:8080", connect("10.0.0.7:8080", API_1, API_2)),
        row("implicit, label ACL: role=test on a shared address", TESTER, "10.0.0.5:5432", connect("10.0.0.5:5432", DB_TEST)),
        row("implicit, label ACL: zone=default on a shared address", WEB, "10.0.0.5:5432", connect("10.0.0.5:5432", DB_PROD)),
        row("implicit, label ACL: client sharing no label is refused", STRANGER, "10.0.0.7:8080", deny("shares no label")),
        row("implicit, label ACL: client with no labels is refused", NO_LABELS, "10.0.0.5:5432", deny("shares no label")),
        // Outside the mesh.
        row("unknown destination goes direct", WEB, "8.8.8.8:53", ConnectDecision.DIRECT),
        row("a vIP on a port it does not serve goes direct", WEB, "10.96.0.1:5433", ConnectDecision.DIRECT),
        row("a service IP on another port goes direct", WEB, "10.0.0.7:8081", ConnectDecision.DIRECT),
        row("a host address is not a service address", WEB, "192.168.1.10:40002", ConnectDecision.DIRECT),
        row("outside the mesh, labels do not matter", NO_LABELS, "1.1.1.1:443", ConnectDecision.DIRECT));
  }

  static Arguments row(String name, App client, String destination, ConnectDecision expected) {
    return Arguments.of(name, client, destination, expected);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("table")
  void decide_table(String name, App client, String destination, ConnectDecision expected) {
    SeededLbState lb = SeededLbState.fromLoggedSeed("decide " + name);

    ConnectDecision actual = ConnectDecider.decide(MESH, client, Endpoints.parse("dest", destination), lb);

    assertDecision(actual, expected);
  }

  static void assertDecision(ConnectDecision actual, ConnectDecision expected) {
    switch (expected) {
      case ConnectDecision.Targets e -> {
        assertThat(actual).isInstanceOf(ConnectDecision.Targets.class);
        ConnectDecision.Targets c = (ConnectDecision.Targets) actual;
        assertThat(c.via()).isEqualTo(e.via());
        assertThat(c.targets()).containsExactlyInAnyOrderElementsOf(e.targets());
      }
      case ConnectDecision.Refuse e -> {
        assertThat(actual).isInstanceOf(ConnectDecision.Refuse.class);
        ConnectDecision.Refuse d = (ConnectDecision.Refuse) actual;
        assertThat(d.errno()).isEqualTo(e.errno());
        assertThat(d.reason()).contains(e.reason());
      }
      case ConnectDecision.Direct _ -> assertThat(actual).isEqualTo(ConnectDecision.DIRECT);
      case ConnectDecision.ViaGateway e -> assertThat(actual).isEqualTo(e); // the decider never makes one
    }
  }

  @Test
  void decide_deniedByLabels_reasonNamesClientAndLabels() {
    ConnectDecision d = ConnectDecider.decide(MESH, STRANGER, Endpoints.parse("dest", "10.96.0.1:5432"), new SeededLbState(1));

    assertThat(d).isInstanceOfSatisfying(ConnectDecision.Refuse.class, deny -> {
      assertThat(deny.errno()).isEqualTo(Errno.ECONNREFUSED);
      assertThat(deny.errno()).isEqualTo(111);
      assertThat(deny.reason()).contains("0000000d").contains("team=x").contains("db");
    });
  }

  @Test
  void decide_vserviceOnServiceAddress_vserviceWins() {
    // A vservice whose vIP:vport is also the service address of entries: rule 1 comes first.
    DataplaneState s = MESH.withVService(vservice("shadow", "10.0.0.7", "8080:9000", "203.0.113.50"));

    ConnectDecision d = ConnectDecider.decide(s, WEB, Endpoints.parse("dest", "10.0.0.7:8080"), new SeededLbState(1));

    assertDecision(d, connect("shadow", ext("203.0.113.50:9000")));
  }

  @Test
  void anOutsideClient_ofAnExternalVService_reachesEveryBackend_whateverTheLabels() {
    VService db = MESH.vservices().get("db");

    ConnectDecision d = ConnectDecider.decideOutside(MESH, db, Transport.TCP, 5432, ip("203.0.113.50"), new SharedLbState());

    assertThat(d).isInstanceOf(ConnectDecision.Targets.class);
    assertThat(((ConnectDecision.Targets) d).targets()).containsExactlyInAnyOrder(srv("192.168.1.10:40000", "db-prod"), srv("192.168.1.10:40001", "db-test"));
    assertThat(ConnectDecider.decideOutside(MESH, db, Transport.TCP, 80, ip("203.0.113.50"), new SharedLbState()))
        .isEqualTo(new ConnectDecision.Refuse(Errno.ECONNREFUSED, "vservice db has no port 80", ConnectDecision.Refuse.Cause.NO_BACKEND));
    assertThat(ConnectDecider.decideOutside(MESH, MESH.vservices().get("empty"), Transport.TCP, 80, ip("203.0.113.50"), new SharedLbState()))
        .isEqualTo(new ConnectDecision.Refuse(Errno.ECONNREFUSED, "vservice empty has no backends", ConnectDecision.Refuse.Cause.NO_BACKEND));
  }
}
