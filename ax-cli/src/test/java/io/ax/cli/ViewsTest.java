package io.ax.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.admin.v1.App;
import io.ax.admin.v1.Backend;
import io.ax.admin.v1.Endpoint;
import io.ax.admin.v1.Label;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.Node;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.Protocol;
import io.ax.admin.v1.Proxy;
import io.ax.admin.v1.Server;
import io.ax.admin.v1.Socket;
import io.ax.admin.v1.VService;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tables of {@code ax get}, column by column, as AppSwitch printed them. */
class ViewsTest {
  private static final VService MYVSVC = VService.newBuilder()
      .setName("myvsvc")
      .setIp("1.1.1.1")
      .setLbType(LbType.RANDOM)
      .addPorts(PortMapping.newBuilder().setVport(8000).setAppPort(10000))
      .addBackends(Backend.newBuilder().setIp("10.0.2.15"))
      .build();

  private static final App APP = App.newBuilder()
      .setName("<uuid>")
      .setAppId("f00001bb")
      .setNodeId("node1")
      .setCluster("appswitch")
      .setAppIp("10.0.2.15")
      .setDriver("user")
      .addLabels(Label.newBuilder().setKey("zone").setValue("default"))
      .setPid(4242)
      .build();

  /** The cells of each line, split where AppSwitch's columns are (two or more spaces). */
  private static List<List<String>> cells(Table t) {
    return t.render().lines().filter(l -> !l.startsWith("-")).map(l -> Arrays.asList(l.split(" {2,}"))).toList();
  }

  @Test
  void vservices_appSwitchColumnsAndCells() {
    List<List<String>> rows = cells(Views.vservices(List.of(MYVSVC), Views.Columns.NORMAL));

    assertThat(rows).containsExactly(
        List.of("VSNAME", "VSTYPE", "VSIP", "VSPORTS", "VSBACKENDIPS"),
        List.of("myvsvc", "Random", "1.1.1.1", "[{8000 10000}]", "[10.0.2.15]"));
  }

  @Test
  void vservices_severalPortsAndBackendsWithPorts_spaceSeparatedInBrackets() {
    VService vs = MYVSVC.toBuilder()
        .setLbType(LbType.ROUND_ROBIN)
        .addPorts(PortMapping.newBuilder().setVport(443).setAppPort(8443))
        .addBackends(Backend.newBuilder().setIp("10.0.2.16").setPort(9090))
        .build();

    List<String> row = cells(Views.vservices(List.of(vs), Views.Columns.NORMAL)).get(1);

    assertThat(row).containsExactly("myvsvc", "RoundRobin", "1.1.1.1", "[{8000 10000} {443 8443}]", "[10.0.2.15 10.0.2.16:9090]");
  }

  @Test
  void vservices_wide_addsExternalSourceIpOwnerAndHostnames() {
    VService vs = MYVSVC.toBuilder().setExternal(true).setSourceIp("192.168.1.2").setOwner("xds-agent")
        .addHostnames("myvsvc.default.svc.cluster.local").addHostnames("myvsvc.default").build();

    List<List<String>> rows = cells(Views.vservices(List.of(vs), Views.Columns.WIDE));

    assertThat(rows.get(0)).containsExactly("VSNAME", "VSTYPE", "VSIP", "VSPORTS", "VSBACKENDIPS", "EXTERNAL", "SOURCEIP", "OWNER", "HOSTNAMES", "RESILIENCE");
    assertThat(rows.get(1)).endsWith("true", "192.168.1.2", "xds-agent", "[myvsvc.default.svc.cluster.local myvsvc.default]", "-");
  }

  @Test
  void vservices_wide_resilienceOfTheVserviceAndItsSubsets() {
    VService vs = MYVSVC.toBuilder()
        .setResilience(io.ax.admin.v1.Resilience.newBuilder().setConnectTimeoutMs(300).setMaxConnections(2)
            .setOutlierDetection(io.ax.admin.v1.OutlierDetection.newBuilder().setConsecutiveFailures(3)))
        .addSubsets(Subset.newBuilder().setName("v1").setWeight(1).setResilience(io.ax.admin.v1.Resilience.newBuilder().setMaxConnections(7).setConnectTimeoutMs(50)))
        .build();

    assertThat(Views.resilience(vs)).isEqualTo("timeout=300ms max=2 eject=3x/30000ms/10% v1:timeout=50ms,max=7");
    VService failover = MYVSVC.toBuilder().setResilience(io.ax.admin.v1.Resilience.newBuilder().setLocalityLb(io.ax.admin.v1.LocalityLb.newBuilder()
        .setMode(io.ax.admin.v1.LocalityMode.LOCALITY_FAILOVER).addFailover(io.ax.admin.v1.LocalityFailover.newBuilder().setFrom("us-east").setTo("eu-west")))).build();
    assertThat(Views.resilience(failover)).isEqualTo("locality=failover(us-east>eu-west)");
  }

  @Test
  void vservices_wide_userVServiceHasDashForOwner() {
    List<List<String>> rows = cells(Views.vservices(List.of(MYVSVC), Views.Columns.WIDE));

    assertThat(rows.get(1)).endsWith("-", "[]", "-");
  }

  @Test
  void vservices_subsets_sharesAndBackendsPerSubset() {
    VService vs = MYVSVC.toBuilder()
        .setLbType(LbType.LEAST_CONN)
        .clearBackends()
        .addSubsets(Subset.newBuilder().setName("v1").setWeight(80).setLbType(LbType.LEAST_CONN)
            .addBackends(Backend.newBuilder().setIp("10.0.0.1")).addBackends(Backend.newBuilder().setIp("10.0.0.2")))
        .addSubsets(Subset.newBuilder().setName("v2").setWeight(20).setLbType(LbType.RANDOM)
            .addBackends(Backend.newBuilder().setIp("10.0.0.3").setPort(9080).setWeight(3)))
        .build();

    List<String> row = cells(Views.vservices(List.of(vs), Views.Columns.NORMAL)).get(1);

    assertThat(row.get(1)).isEqualTo("LeastConn");
    assertThat(row.get(4)).isEqualTo("v1=80%[10.0.0.1 10.0.0.2] v2=20%/Random[10.0.0.3:9080(w=3)]");
  }

  @Test
  void vservices_weightedBackends_showWeightsOtherThanOne() {
    VService vs = MYVSVC.toBuilder()
        .clearBackends()
        .addBackends(Backend.newBuilder().setIp("10.0.0.1").setWeight(1))
        .addBackends(Backend.newBuilder().setIp("10.0.0.2").setWeight(5))
        .build();

    assertThat(cells(Views.vservices(List.of(vs), Views.Columns.NORMAL)).get(1).get(4)).isEqualTo("[10.0.0.1 10.0.0.2(w=5)]");
  }

  @Test
  void vservices_noBackends_emptyBrackets() {
    List<String> row = cells(Views.vservices(List.of(MYVSVC.toBuilder().clearBackends().build()), Views.Columns.NORMAL)).get(1);

    assertThat(row.get(4)).isEqualTo("[]");
  }


  @Test
  void apps_appSwitchColumnsWithZones() {
    List<List<String>> rows = cells(Views.apps(List.of(APP), Views.Columns.NORMAL));

    assertThat(rows).containsExactly(
        List.of("NAME", "APPID", "NODEID", "CLUSTER", "APPIP", "DRIVER", "LABELS", "ZONES"),
        List.of("<uuid>", "f00001bb", "node1", "appswitch", "10.0.2.15", "user", "zone=default", "[zone==default]"));
  }

  @Test
  void apps_twoLabelsWide_labelsCommaZonesSpaceAndPid() {
    App app = APP.toBuilder().addLabels(Label.newBuilder().setKey("tier").setValue("web")).build();

    List<List<String>> rows = cells(Views.apps(List.of(app), Views.Columns.WIDE));

    assertThat(rows.get(0)).last().isEqualTo("PID");
    // The zones cell has one space inside; split on two or more it stays whole.
    assertThat(rows.get(1)).endsWith("zone=default,tier=web", "[zone==default tier==web]", "4242");
  }

  @Test
  void servers_appSwitchColumns() {
    Server s = Server.newBuilder()
        .setNodeId("node1")
        .setCluster("appswitch")
        .setAppId("f00001bb")
        .setProtocol(Protocol.TCP)
        .setServiceAddr(Endpoint.newBuilder().setIp("10.0.2.15").setPort(9080))
        .setHostAddr(Endpoint.newBuilder().setIp("10.0.2.15").setPort(40000))
        .setName("srv")
        .build();

    List<List<String>> rows = cells(Views.servers(List.of(s), Views.Columns.NORMAL));
    List<List<String>> wide = cells(Views.servers(List.of(s.toBuilder().setProtocol(Protocol.UDP).build()), Views.Columns.WIDE));

    assertThat(rows).containsExactly(
        List.of("NODEID", "CLUSTER", "APPID", "PROTO", "SERVICEADDR", "IPV4ADDR"),
        List.of("node1", "appswitch", "f00001bb", "tcp", "10.0.2.15:9080", "10.0.2.15:40000"));
    assertThat(wide.get(0)).endsWith("NAME", "LABELS");
    assertThat(wide.get(1)).contains("udp").contains("srv");
  }

  @Test
  void nodes_appSwitchColumns() {
    Node n = Node.newBuilder()
        .setName("node1")
        .setCluster("appswitch")
        .setIp("10.0.2.15")
        .setExternalIp("203.0.113.1")
        .addRoles("compute")
        .setAppCount(3)
        .build();
    Node gone = n.toBuilder().setName("node2").setAppCount(0).setStatus(io.ax.admin.v1.NodeStatus.NODE_DEAD).build();

    assertThat(cells(Views.nodes(List.of(n, gone)))).containsExactly(
        List.of("NAME", "CLUSTER", "IP", "EXTERNALIP", "ROLE", "APPCOUNT", "STATUS"),
        List.of("node1", "appswitch", "10.0.2.15", "203.0.113.1", "[compute]", "3", "Alive"),
        List.of("node2", "appswitch", "10.0.2.15", "203.0.113.1", "[compute]", "0", "Dead"));
  }

  @Test
  void sockets_unsignedNumbersAndUnspecifiedProtocolAsDash() {
    Socket s = Socket.newBuilder()
        .setId("k1")
        .setNodeId("node1")
        .setAppId("f00001bb")
        .setInode(-1L)
        .setFlags(-1)
        .setBind(Endpoint.newBuilder().setIp("0.0.0.0").setPort(80))
        .setBacklog(128)
        .build();

    assertThat(cells(Views.sockets(List.of(s)))).containsExactly(
        List.of("ID", "NODEID", "APPID", "INODE", "PROTO", "FLAGS", "BINDIP", "BACKLOG"),
        List.of("k1", "node1", "f00001bb", "18446744073709551615", "-", "4294967295", "0.0.0.0:80", "128"));
  }

  @Test
  void proxies_dialersInBrackets() {
    Proxy p = Proxy.newBuilder()
        .setId("p1")
        .setProtocol(Protocol.TCP)
        .setListener(Endpoint.newBuilder().setIp("10.0.2.15").setPort(31111))
        .addDialers(Endpoint.newBuilder().setIp("10.0.0.5").setPort(9080))
        .addDialers(Endpoint.newBuilder().setIp("10.0.0.6").setPort(9080))
        .build();

    assertThat(cells(Views.proxies(List.of(p))).get(1)).containsExactly("p1", "tcp", "10.0.2.15:31111", "[10.0.0.5:9080 10.0.0.6:9080]");
  }

  @Test
  void vservices_none_emptyTable() {
    assertThat(Views.vservices(List.of(), Views.Columns.NORMAL).isEmpty()).isTrue();
  }
}
