package io.ax.core.mesh;

import static io.ax.core.mesh.MeshFixture.EACCES;
import static io.ax.core.mesh.MeshFixture.ECONNREFUSED;
import static io.ax.core.mesh.MeshFixture.any;
import static io.ax.core.mesh.MeshFixture.ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.BindDecision;
import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.RegistrationRefusedException;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link MeshSocketPolicy#connect} on a small mesh: a TCP server at 10.0.0.7:8080 (really at the
 * node's 192.0.2.10:40000), a client sharing its label and a stranger sharing none.
 */
class MeshSocketPolicyConnectTest {
  private final MeshFixture mesh = new MeshFixture("connect");
  private final Map<String, String> apps = new HashMap<>();

  @BeforeEach
  void buildMesh() throws RegistrationRefusedException {
    apps.put("server", mesh.app("10.0.0.7", "zone=default"));
    apps.put("client", mesh.app("10.0.0.1", "role=web,zone=default"));
    apps.put("stranger", mesh.app("10.0.0.9", "team=x"));
    assertThat(mesh.listen(apps.get("server"), 1, Transport.TCP, 8080)).isEqualTo(ep("192.0.2.10", 40000));
  }

  private ConnectDecision connect(String who, Transport transport, String destination) {
    return mesh.policy.connect(apps.get(who), transport, endpoint(destination));
  }

  private static ConnectDecision targets(String... hostPorts) {
    return new ConnectDecision.Targets("", Arrays.stream(hostPorts).map(MeshSocketPolicyConnectTest::endpoint).toList());
  }

  private static ConnectDecision refused(int errno) {
    return new ConnectDecision.Refuse(errno, "");
  }

  /**
   * What the bridge acts on: the targets, the errno or "direct", without the strings that are
   * only for logs ({@code via}, {@code reason}).
   */
  private static Object acted(ConnectDecision d) {
    return switch (d) {
      case ConnectDecision.Direct direct -> direct;
      case ConnectDecision.Targets t -> t.targets();
      case ConnectDecision.Refuse r -> Errno.describe(r.errno());
      case ConnectDecision.ViaGateway v -> v;
    };
  }

  private static Inet4Endpoint endpoint(String ipPort) {
    int colon = ipPort.lastIndexOf(':');
    return ep(ipPort.substring(0, colon), Integer.parseInt(ipPort.substring(colon + 1)));
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource({
    // who,     transport, destination,        expected (targets, direct or refused)
    "client,   TCP, 10.0.0.7:8080,      192.0.2.10:40000",
    "stranger, TCP, 10.0.0.7:8080,      refused",
    // A mesh address at a port (or protocol) nothing serves: refused, never the real address.
    "client,   UDP, 10.0.0.7:8080,      refused", // a TCP-only entry does not answer UDP
    "stranger, UDP, 10.0.0.7:8080,      refused",
    "client,   TCP, 10.0.0.7:8081,      refused",
    // Only addresses the mesh never held go direct.
    "client,   TCP, 203.0.113.5:443,    direct",
    // The real host address of an entry: the label ACL still applies.
    "stranger, TCP, 192.0.2.10:40000,   refused",
    "client,   TCP, 192.0.2.10:40000,   direct",
    "stranger, UDP, 192.0.2.10:40000,   direct",
    // Loopback is each app's own: nothing of another app's, nor the host's, is reachable there.
    "stranger, TCP, 127.0.0.1:40000,    refused",
    "stranger, TCP, 127.9.8.7:40000,    refused",
    "client,   TCP, 127.0.0.1:40000,    refused",
    "stranger, TCP, 127.0.0.1:40001,    refused",
    "server,   TCP, 127.0.0.1:8080,     refused",
  })
  void connect_table(String who, Transport transport, String destination, String expected) {
    ConnectDecision want = switch (expected) {
      case "direct" -> new ConnectDecision.Direct();
      case "refused" -> refused(ECONNREFUSED);
      default -> targets(expected);
    };

    assertThat(acted(connect(who, transport, destination))).isEqualTo(acted(want));
  }

  @Test
  void bind_poolPort_boundToTheNodeIpSoLoopbackAndAnyNeverReachIt() {
    // Linux routes a connect to 0.0.0.0 over loopback (ip_route_output_key_hash_rcu). Were pool
    // ports bound to 0.0.0.0, 0.0.0.0:PORT, 127.0.0.1:PORT and the node's other addresses would
    // reach them around the ACL; bound to the node IP, only NODE-IP:PORT does, and rule 3 judges it.
    BindDecision d = mesh.policy.bind(apps.get("client"), Transport.TCP, any(9090));

    assertThat(((BindDecision.Real) d).real().ip()).isEqualTo(ep("192.0.2.10", 0).ip());
    assertThat(acted(connect("stranger", Transport.TCP, "192.0.2.10:40000"))).isEqualTo(acted(refused(ECONNREFUSED)));
  }

  @Test
  void connect_unknownClient_refusedEacces() {
    assertThat(acted(mesh.policy.connect("0000dead", Transport.TCP, ep("10.0.0.7", 8080)))).isEqualTo(acted(refused(EACCES)));
  }

  @Test
  void connect_udpEntry_answersUdpOnly() {
    mesh.listen(apps.get("server"), 2, Transport.UDP, 53); // 40001

    assertThat(acted(connect("client", Transport.UDP, "10.0.0.7:53"))).isEqualTo(acted(targets("192.0.2.10:40001")));
    assertThat(acted(connect("client", Transport.TCP, "10.0.0.7:53"))).isEqualTo(acted(refused(ECONNREFUSED)));
    assertThat(acted(connect("stranger", Transport.UDP, "10.0.0.7:53"))).isEqualTo(acted(refused(ECONNREFUSED)));
  }

  @Test
  void connect_twoReplicas_bothOfferedAndThePickRotates() throws RegistrationRefusedException {
    String replica = mesh.app("10.0.0.7", "zone=default");
    mesh.listen(replica, 5, Transport.TCP, 8080); // 40001

    ConnectDecision.Targets first = (ConnectDecision.Targets) connect("client", Transport.TCP, "10.0.0.7:8080");
    ConnectDecision.Targets second = (ConnectDecision.Targets) connect("client", Transport.TCP, "10.0.0.7:8080");

    assertThat(first.targets()).containsExactlyInAnyOrder(ep("192.0.2.10", 40000), ep("192.0.2.10", 40001));
    assertThat(second.targets()).containsExactlyInAnyOrderElementsOf(first.targets());
    assertThat(second.targets().getFirst()).isNotEqualTo(first.targets().getFirst());
  }

  @Test
  void connect_appWithoutIp_reachedAtTheNodeIp() throws RegistrationRefusedException {
    String local = mesh.app("", "zone=default");
    mesh.listen(local, 4, Transport.TCP, 9000); // 40001

    assertThat(acted(connect("client", Transport.TCP, "192.0.2.10:9000"))).isEqualTo(acted(targets("192.0.2.10:40001")));
    assertThat(acted(connect("stranger", Transport.TCP, "192.0.2.10:9000"))).isEqualTo(acted(refused(ECONNREFUSED)));
  }

  @Test
  void connect_afterWithdrawn_theMeshAddressIsRefused_andTheFreedHostPortIsOutsideTheMesh() {
    mesh.policy.withdrawn(apps.get("server"), 1);

    assertThat(acted(connect("client", Transport.TCP, "10.0.0.7:8080"))).isEqualTo(acted(refused(ECONNREFUSED)));
    assertThat(acted(connect("stranger", Transport.TCP, "192.0.2.10:40000"))).isEqualTo(acted(new ConnectDecision.Direct()));
  }

  @Test
  void connect_afterServerUnregistered_isOutsideTheMesh() {
    mesh.policy.unregister(apps.get("server"));

    assertThat(acted(connect("stranger", Transport.TCP, "192.0.2.10:40000"))).isEqualTo(acted(new ConnectDecision.Direct()));
  }

  @Test
  void connect_loopback_reachesOnlyTheSameAppsLoopbackServer() {
    Inet4Endpoint real = ((BindDecision.Real) mesh.policy.bind(apps.get("client"), Transport.TCP, ep("127.0.0.1", 6379))).real();
    mesh.policy.published(apps.get("client"), 99, Transport.TCP, ep("127.0.0.1", 6379), real, 16);

    assertThat(acted(connect("client", Transport.TCP, "127.0.0.1:6379"))).isEqualTo(acted(new ConnectDecision.Targets("", java.util.List.of(real))));
    assertThat(acted(connect("stranger", Transport.TCP, "127.0.0.1:6379"))).isEqualTo(acted(refused(ECONNREFUSED)));
    assertThat(acted(connect("client", Transport.UDP, "127.0.0.1:6379"))).isEqualTo(acted(refused(ECONNREFUSED)));
    assertThat(mesh.store.current().servers().values()).noneMatch(e -> e.serviceAddr().port() == 6379);

    mesh.policy.withdrawn(apps.get("client"), 99);

    assertThat(acted(connect("client", Transport.TCP, "127.0.0.1:6379"))).isEqualTo(acted(refused(ECONNREFUSED)));
  }

  @Test
  void connect_afterClientUnregistered_refusedEacces() {
    mesh.policy.unregister(apps.get("client"));

    assertThat(acted(connect("client", Transport.TCP, "10.0.0.7:8080"))).isEqualTo(acted(refused(EACCES)));
  }

  @Test
  void connect_decisionsCarryTheirLogStrings_viaAndReason() {
    Inet4Endpoint real = ((BindDecision.Real) mesh.policy.bind(apps.get("client"), Transport.TCP, ep("127.0.0.1", 6379))).real();
    mesh.policy.published(apps.get("client"), 99, Transport.TCP, ep("127.0.0.1", 6379), real, 16);

    assertThat(connect("client", Transport.TCP, "10.0.0.7:8080")).isEqualTo(new ConnectDecision.Targets("10.0.0.7:8080", java.util.List.of(ep("192.0.2.10", 40000))));
    assertThat(connect("client", Transport.TCP, "127.0.0.1:6379")).isEqualTo(new ConnectDecision.Targets("loopback of app " + apps.get("client"), java.util.List.of(real)));
    assertThat(connect("stranger", Transport.TCP, "10.0.0.7:8080"))
        .isInstanceOfSatisfying(ConnectDecision.Refuse.class, r -> assertThat(r.reason()).contains(apps.get("stranger")).contains("team=x").contains("shares no label"));
    assertThat(mesh.policy.connect("0000dead", Transport.TCP, ep("10.0.0.7", 8080)))
        .isInstanceOfSatisfying(ConnectDecision.Refuse.class, r -> assertThat(r.reason()).isEqualTo("app 0000dead is not registered"));
  }

  @Test
  void aMeshAddressWhoseServerLeft_orAVServicePortNothingServes_isRefused_neverSentToTheRealAddress() throws RegistrationRefusedException {
    String leaving = mesh.app("10.0.0.20", "zone=default");
    mesh.listen(leaving, 3, Transport.TCP, 5432);
    assertThat(acted(connect("client", Transport.TCP, "10.0.0.20:5432"))).isInstanceOf(java.util.List.class);
    mesh.policy.unregister(leaving);

    assertThat(acted(connect("client", Transport.TCP, "10.0.0.20:5432"))).as("its server left").isEqualTo(acted(refused(ECONNREFUSED)));
    assertThat(acted(connect("client", Transport.TCP, "10.0.0.1:80"))).as("an --ip app that never listened").isEqualTo(acted(new ConnectDecision.Direct()));
  }

  @Test
  void withAnEgressGateway_outsideStreamsGoThroughIt_andMeshAddressesDatagramsAndExceptionsDoNot() throws RegistrationRefusedException {
    Inet4Endpoint gateway = ep("192.0.2.30", 6661);
    java.util.List<java.util.List<Inet4Endpoint>> announced = new java.util.ArrayList<>();
    EgressRoutes egress = new EgressRoutes() {
      @Override
      public java.util.Optional<Inet4Endpoint> gateway(Inet4Endpoint destination) {
        // The daemon leaves the cluster's nodes out; here, 198.51.100.1 stands for one.
        return destination.equals(endpoint("198.51.100.1:22")) ? java.util.Optional.empty() : java.util.Optional.of(gateway);
      }

      @Override
      public void announce(Inet4Endpoint local, Inet4Endpoint via, Inet4Endpoint destination) {
        announced.add(java.util.List.of(local, via, destination));
      }
    };
    MeshSocketPolicy withGateway = new MeshSocketPolicy(
        mesh.store, new MeshSocketPolicy.Node("n1", "appswitch", MeshFixture.NODE_IP), new AppRegistry(mesh.store, new MeshSocketPolicy.Node("n1", "appswitch", MeshFixture.NODE_IP), new java.util.SplittableRandom(3)),
        new PortLeases(mesh.pool), new Loopbacks(), io.ax.core.lb.ConnectionCounts.NONE, egress);
    String client = apps.get("client");

    assertThat(withGateway.connect(client, Transport.TCP, endpoint("203.0.113.5:443"))).isEqualTo(new ConnectDecision.ViaGateway(gateway, endpoint("203.0.113.5:443")));
    assertThat(acted(withGateway.connect(client, Transport.UDP, endpoint("203.0.113.5:53")))).isEqualTo(acted(new ConnectDecision.Direct()));
    assertThat(acted(withGateway.connect(client, Transport.TCP, endpoint("10.0.0.7:8080")))).isEqualTo(acted(targets("192.0.2.10:40000")));
    assertThat(acted(withGateway.connect(client, Transport.TCP, endpoint("10.0.0.7:8081")))).isEqualTo(acted(refused(ECONNREFUSED)));
    assertThat(acted(withGateway.connect(client, Transport.TCP, endpoint("198.51.100.1:22")))).isEqualTo(acted(new ConnectDecision.Direct()));

    withGateway.connectingViaGateway(client, ep("192.0.2.10", 51000), gateway, endpoint("203.0.113.5:443"));
    assertThat(announced).containsExactly(java.util.List.of(ep("192.0.2.10", 51000), gateway, endpoint("203.0.113.5:443")));
  }

  @Test
  void registryOnly_refusesEveryAddressTheMeshNeverHeld_andKeepsTheMeshAndTheNodeDns() throws RegistrationRefusedException {
    EgressRoutes everythingViaGateway = new EgressRoutes() {
      @Override
      public java.util.Optional<Inet4Endpoint> gateway(Inet4Endpoint destination) {
        // As the daemon's: the cluster's own nodes are no outside.
        return destination.ip() == MeshFixture.NODE_IP.bits() ? java.util.Optional.empty() : java.util.Optional.of(ep("192.0.2.30", 6661));
      }

      @Override
      public void announce(Inet4Endpoint local, Inet4Endpoint via, Inet4Endpoint destination) {}
    };
    MeshSocketPolicy.Node node = new MeshSocketPolicy.Node("n1", "appswitch", MeshFixture.NODE_IP);
    MeshSocketPolicy registryOnly = new MeshSocketPolicy(mesh.store, node, new AppRegistry(mesh.store, node, new java.util.SplittableRandom(3)),
        new PortLeases(mesh.pool), new Loopbacks(), io.ax.core.lb.ConnectionCounts.NONE, everythingViaGateway, OutboundPolicy.REGISTRY_ONLY);
    String client = apps.get("client");

    for (String outside : java.util.List.of("203.0.113.5:443", "198.18.0.200:80")) {
      ConnectDecision d = registryOnly.connect(client, Transport.TCP, endpoint(outside));
      assertThat(d).as(outside).isInstanceOfSatisfying(ConnectDecision.Refuse.class, r -> {
        assertThat(r.errno()).isEqualTo(ECONNREFUSED);
        assertThat(r.cause()).isEqualTo(ConnectDecision.Refuse.Cause.OUTSIDE);
        assertThat(r.reason()).isEqualTo("tcp " + outside + " is outside the mesh and the outbound traffic policy is REGISTRY_ONLY");
      });
    }
    assertThat(registryOnly.connect(client, Transport.UDP, endpoint("203.0.113.5:53"))).isInstanceOf(ConnectDecision.Refuse.class);
    // What the mesh holds is decided as before; the node's own DNS server is part of the mesh.
    assertThat(acted(registryOnly.connect(client, Transport.TCP, endpoint("10.0.0.7:8080")))).isEqualTo(acted(targets("192.0.2.10:40000")));
    assertThat(acted(registryOnly.connect(client, Transport.TCP, endpoint("192.0.2.10:40000")))).as("the server's real address, rule 3")
        .isEqualTo(acted(new ConnectDecision.Direct()));
    assertThat(acted(registryOnly.connect(client, Transport.UDP, new Inet4Endpoint(MeshFixture.NODE_IP.bits(), 53)))).isEqualTo(acted(new ConnectDecision.Direct()));
    assertThat(acted(registryOnly.connect(client, Transport.TCP, new Inet4Endpoint(MeshFixture.NODE_IP.bits(), 53)))).isEqualTo(acted(new ConnectDecision.Direct()));
    assertThat(registryOnly.connect(client, Transport.TCP, new Inet4Endpoint(MeshFixture.NODE_IP.bits(), 22))).isInstanceOf(ConnectDecision.Refuse.class);
  }

  @Test
  void outboundPolicy_parse_takesIstiosNamesAndRefusesOthersInOneLine() {
    assertThat(OutboundPolicy.parse("--outbound-traffic-policy", "registry_only")).isEqualTo(OutboundPolicy.REGISTRY_ONLY);
    assertThat(OutboundPolicy.parse("--outbound-traffic-policy", "ALLOW_ANY")).isEqualTo(OutboundPolicy.ALLOW_ANY);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OutboundPolicy.parse("--outbound-traffic-policy", "DENY"))
        .hasMessage("--outbound-traffic-policy: 'DENY' is not an outbound traffic policy (expected ALLOW_ANY or REGISTRY_ONLY)");
  }
}
