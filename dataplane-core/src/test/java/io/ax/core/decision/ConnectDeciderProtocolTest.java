package io.ax.core.decision;

import static io.ax.core.state.StateFixtures.app;
import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.SeededLbState;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.model.ServerEntry;
import io.ax.core.net.Endpoints;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.StateFixtures;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ConnectDecider#decide(DataplaneState, App, Transport, Inet4Endpoint, io.ax.core.lb.LbState)}:
 * only entries of the connecting socket's protocol count, at service addresses (rule 2), behind
 * vservices (rule 1) and at real host addresses (rule 3, where the label ACL still applies).
 */
class ConnectDeciderProtocolTest {
  static final App WEB = app("0000000a", "10.0.0.1", "zone=default");
  static final App STRANGER = app("0000000d", "10.0.0.4", "team=x");

  static final ServerEntry HTTP = entry("http", Transport.TCP, "10.0.0.5:80", "192.168.1.10:40000", "zone=default");
  static final ServerEntry DNS = entry("dns", Transport.UDP, "10.0.0.6:53", "192.168.1.10:40001", "zone=default");
  // Both protocols on one service address.
  static final ServerEntry BOTH_TCP = entry("both-tcp", Transport.TCP, "10.0.0.8:5000", "192.168.1.10:40002", "zone=default");
  static final ServerEntry BOTH_UDP = entry("both-udp", Transport.UDP, "10.0.0.8:5000", "192.168.1.10:40003", "zone=default");
  // TCP open to zone=default, UDP closed to it, on one service address.
  static final ServerEntry SPLIT_TCP = entry("split-tcp", Transport.TCP, "10.0.0.9:7000", "192.168.1.10:40004", "zone=default");
  static final ServerEntry SPLIT_UDP = entry("split-udp", Transport.UDP, "10.0.0.9:7000", "192.168.1.10:40005", "team=y");

  static final DataplaneState MESH =
      DataplaneState.EMPTY
          .withApp(WEB)
          .withApp(STRANGER)
          .withServer(HTTP)
          .withServer(DNS)
          .withServer(BOTH_TCP)
          .withServer(BOTH_UDP)
          .withServer(SPLIT_TCP)
          .withServer(SPLIT_UDP)
          .withVService(vservice("resolver", "10.96.0.53", LbPolicy.ROUND_ROBIN, List.of("53"), "10.0.0.6"))
          .withVService(vservice("web", "10.96.0.80", LbPolicy.ROUND_ROBIN, List.of("80"), "10.0.0.5"));

  static ServerEntry entry(String id, Transport protocol, String serviceAddr, String hostAddr, String labels) {
    return new ServerEntry(
        id, new AppId("000000f1"), "srv-" + id, protocol, Endpoints.parse("service", serviceAddr), Endpoints.parse("host", hostAddr),
        Labels.parse("labels", labels), StateFixtures.NODE, StateFixtures.CLUSTER);
  }

  static ConnectDecision connect(String via, ServerEntry... entries) {
    return new ConnectDecision.Targets(via, Stream.of(entries).map(ServerEntry::hostAddr).toList());
  }

  /** A refusal whose reason contains {@code fragment}. */
  static ConnectDecision refused(String fragment) {
    return new ConnectDecision.Refuse(Errno.ECONNREFUSED, fragment);
  }

  static Stream<Arguments> table() {
    return Stream.of(
        // Rule 2: a service address answers only its protocol; the other protocol goes direct.
        row(WEB, Transport.TCP, "10.0.0.5:80", connect("10.0.0.5:80", HTTP)),
        row(WEB, Transport.UDP, "10.0.0.5:80", ConnectDecision.DIRECT),
        row(WEB, Transport.UDP, "10.0.0.6:53", connect("10.0.0.6:53", DNS)),
        row(WEB, Transport.TCP, "10.0.0.6:53", ConnectDecision.DIRECT),
        row(WEB, Transport.TCP, "10.0.0.8:5000", connect("10.0.0.8:5000", BOTH_TCP)),
        row(WEB, Transport.UDP, "10.0.0.8:5000", connect("10.0.0.8:5000", BOTH_UDP)),
        row(STRANGER, Transport.TCP, "10.0.0.5:80", refused("shares no label with 10.0.0.5:80")),
        row(STRANGER, Transport.UDP, "10.0.0.5:80", ConnectDecision.DIRECT),
        row(STRANGER, Transport.UDP, "10.0.0.6:53", refused("shares no label")),
        // The label ACL is judged per protocol: open over TCP, closed over UDP.
        row(WEB, Transport.TCP, "10.0.0.9:7000", connect("10.0.0.9:7000", SPLIT_TCP)),
        row(WEB, Transport.UDP, "10.0.0.9:7000", refused("shares no label with 10.0.0.9:7000")),
        // Rule 3: a real host address of an entry of the same protocol.
        row(STRANGER, Transport.TCP, "192.168.1.10:40000", refused("the real address of 10.0.0.5:80")),
        row(STRANGER, Transport.UDP, "192.168.1.10:40000", ConnectDecision.DIRECT),
        row(WEB, Transport.TCP, "192.168.1.10:40000", ConnectDecision.DIRECT),
        row(STRANGER, Transport.UDP, "192.168.1.10:40001", refused("the real address of 10.0.0.6:53")),
        row(STRANGER, Transport.TCP, "192.168.1.10:40001", ConnectDecision.DIRECT),
        row(WEB, Transport.UDP, "192.168.1.10:40005", refused("the real address of 10.0.0.9:7000")),
        row(WEB, Transport.TCP, "192.168.1.10:40005", ConnectDecision.DIRECT),
        row(STRANGER, Transport.TCP, "192.168.1.10:40099", ConnectDecision.DIRECT),
        // Rule 1: a vservice backend names only entries of the protocol; a backend whose entries
        // are all of the other protocol has nothing for this socket (never an "external" vIP).
        row(WEB, Transport.UDP, "10.96.0.53:53", connect("resolver", DNS)),
        row(WEB, Transport.TCP, "10.96.0.53:53", refused("vservice resolver has no backends")),
        row(STRANGER, Transport.UDP, "10.96.0.53:53", refused("vservice resolver")),
        row(WEB, Transport.TCP, "10.96.0.80:80", connect("web", HTTP)),
        row(STRANGER, Transport.UDP, "10.96.0.80:80", refused("vservice web has no backends")));
  }

  static Arguments row(App client, Transport protocol, String destination, ConnectDecision expected) {
    return Arguments.of(client.labels().toString(), protocol, destination, client, expected);
  }

  @ParameterizedTest(name = "[{index}] {0} {1} {2}")
  @MethodSource("table")
  void decide_protocolTable(String clientLabels, Transport protocol, String destination, App client, ConnectDecision expected) {
    SeededLbState lb = SeededLbState.fromLoggedSeed("protocol " + protocol + " " + destination);

    ConnectDecision actual = ConnectDecider.decide(MESH, client, protocol, Endpoints.parse("dest", destination), lb);

    switch (expected) {
      case ConnectDecision.Targets e -> {
        assertThat(actual).isInstanceOf(ConnectDecision.Targets.class);
        assertThat(((ConnectDecision.Targets) actual).via()).isEqualTo(e.via());
        assertThat(((ConnectDecision.Targets) actual).targets()).containsExactlyInAnyOrderElementsOf(e.targets());
      }
      case ConnectDecision.Refuse e -> {
        assertThat(actual).isInstanceOf(ConnectDecision.Refuse.class);
        assertThat(((ConnectDecision.Refuse) actual).errno()).isEqualTo(e.errno());
        assertThat(((ConnectDecision.Refuse) actual).reason()).contains(e.reason());
      }
      case ConnectDecision.Direct _ -> assertThat(actual).isEqualTo(ConnectDecision.DIRECT);
      case ConnectDecision.ViaGateway e -> assertThat(actual).isEqualTo(e); // the decider never makes one
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"10.0.0.5:80", "10.0.0.6:53", "10.0.0.8:5000", "10.0.0.9:7000", "192.168.1.10:40000", "192.168.1.10:40001", "10.96.0.53:53"})
  void decide_withoutProtocol_isTheTcpDecision(String destination) {
    Inet4Endpoint dst = Endpoints.parse("dest", destination);
    for (App client : List.of(WEB, STRANGER)) {
      assertThat(ConnectDecider.decide(MESH, client, dst, new SeededLbState(1)))
          .as("%s -> %s", client.id(), destination)
          .isEqualTo(ConnectDecider.decide(MESH, client, Transport.TCP, dst, new SeededLbState(1)));
    }
  }

  @Test
  void decide_realAddressSharedByBothProtocols_judgesOnlyTheConnectingOne() {
    // The kernel lets a TCP and a UDP socket hold the same port: one host address, two entries.
    DataplaneState s = DataplaneState.EMPTY
        .withApp(WEB)
        .withServer(entry("t", Transport.TCP, "10.0.0.20:9000", "192.168.1.10:41000", "zone=default"))
        .withServer(entry("u", Transport.UDP, "10.0.0.21:9000", "192.168.1.10:41000", "team=y"));
    Inet4Endpoint real = Endpoints.parse("dest", "192.168.1.10:41000");

    assertThat(ConnectDecider.decide(s, WEB, Transport.TCP, real, new SeededLbState(1))).isEqualTo(ConnectDecision.DIRECT);
    assertThat(ConnectDecider.decide(s, WEB, Transport.UDP, real, new SeededLbState(1)))
        .isInstanceOfSatisfying(ConnectDecision.Refuse.class, d -> assertThat(d.reason()).contains("the real address of 10.0.0.21:9000"));
  }

  @Test
  void decide_onlyOtherProtocolAtServiceAddressButSameAtHost_fallsThroughToRule3() {
    // 10.0.0.30:6000 is a UDP service address and, for TCP, the real address of a closed entry.
    DataplaneState s = DataplaneState.EMPTY
        .withApp(WEB)
        .withServer(entry("u", Transport.UDP, "10.0.0.30:6000", "192.168.1.10:42000", "zone=default"))
        .withServer(entry("t", Transport.TCP, "10.0.0.31:80", "10.0.0.30:6000", "team=y"));

    assertThat(ConnectDecider.decide(s, WEB, Transport.TCP, Endpoints.parse("dest", "10.0.0.30:6000"), new SeededLbState(1)))
        .isInstanceOfSatisfying(ConnectDecision.Refuse.class, d -> assertThat(d.reason()).contains("the real address of 10.0.0.31:80"));
  }
}
