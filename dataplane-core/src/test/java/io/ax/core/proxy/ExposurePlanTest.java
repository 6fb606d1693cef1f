package io.ax.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.ExposedPort;
import io.ax.core.model.Labels;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.proxy.ExposurePlan.AppExposure;
import io.ax.core.proxy.ExposurePlan.VServiceExposure;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.StateFixtures;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ExposurePlanTest {
  private static final Ipv4 NODE1 = Ipv4.parse("ip", "192.0.2.1");
  private static final Ipv4 NODE2 = Ipv4.parse("ip", "192.0.2.2");
  private static App app(String id, String node, String... exposures) {
    List<ExposedPort> x = java.util.Arrays.stream(exposures).map(e -> ExposedPort.parse(e, NODE1, ip -> true)).toList();
    return new App(new AppId(id), "app-" + id, node, "c", Ipv4.parse("ip", "198.18.0.1"), "user", Labels.parse("l", "role=web"), 1, x);
  }

  private static ServerEntry server(String appId, String node, String hostAddr) {
    return new ServerEntry(node + "/" + appId, new AppId(appId), "web", Transport.TCP, Endpoints.parse("s", "198.18.0.1:8000"), Endpoints.parse("h", hostAddr), Labels.parse("l", "role=web"), node, "c");
  }

  private static VService external(String name, String vip, String... ports) {
    VService vs = StateFixtures.vservice(name, vip, LbPolicy.RANDOM, List.of(ports), "198.18.0.1");
    return new VService(vs.name(), vs.ip(), vs.ports(), vs.backends(), vs.policy(), VService.Exposure.EXTERNAL, vs.sourceIp());
  }

  @Test
  void appsOfOtherNodesExposedOnEveryNode_areProxiedHere_andTheirOwnNodeLeavesThePortToThem() {
    DataplaneState s = DataplaneState.EMPTY
        .withApp(app("a0000001", "node2", "8000:0.0.0.0:31080"))
        .withApp(app("a0000002", "node3", "8000:0.0.0.0:31080", "9000:31090"))
        .withApp(app("a0000003", "node1", "8000:0.0.0.0:31070"))
        .withApp(app("a0000004", "node2", "8000:0.0.0.0:31070"));

    ExposurePlan.Plan onNode1 = ExposurePlan.of(s, "node1", NODE1);
    ExposurePlan.Plan onNode2 = ExposurePlan.of(s, "node2", NODE2);

    assertThat(onNode1.byPort()).containsOnlyKeys(31080);
    assertThat(onNode1.byPort().get(31080)).isEqualTo(new AppExposure(31080, new TreeMap<>(Map.of(new AppId("a0000001"), 8000, new AppId("a0000002"), 8000))));
    // 31090 is exposed on node3 alone; 31070 has an app on node1 itself.
    assertThat(onNode2.byPort()).as("node2 runs apps on 31080 and 31070").containsOnlyKeys();
    assertThat(onNode1.conflicts()).isEmpty();
  }

  @Test
  void anAppExposedOnAnotherNodesIp_isProxiedThereAlone_toItsSocketOnTheAppPort() {
    DataplaneState s = DataplaneState.EMPTY
        .withApp(app("a0000001", "node3", "8000:192.0.2.2:31085"))
        .withServer(server("a0000001", "node3", "192.0.2.3:40007"));

    ExposurePlan.Plan onNode2 = ExposurePlan.of(s, "node2", NODE2);

    assertThat(ExposurePlan.of(s, "node1", NODE1).byPort()).isEmpty();
    assertThat(onNode2.byPort()).containsOnlyKeys(31085);
    assertThat(ExposurePlan.appTargets(s, (AppExposure) onNode2.byPort().get(31085))).containsExactly(Endpoints.parse("h", "192.0.2.3:40007"));
  }

  @Test
  void externalVServices_areProxiedOnEachVport_onEveryNode_andAPortTakenFirstIsReported() {
    DataplaneState s = DataplaneState.EMPTY
        .withApp(app("a0000001", "node2", "8000:0.0.0.0:31080"))
        .withVService(external("shop", "198.19.0.1", "31111:8000", "31112:8000"))
        .withVService(external("web", "198.19.0.2", "31080:8000"))
        .withVService(StateFixtures.vservice("internal", "198.19.0.3", LbPolicy.RANDOM, List.of("31113:8000"), "198.18.0.1"));

    ExposurePlan.Plan p = ExposurePlan.of(s, "node1", NODE1);

    assertThat(p.byPort()).containsOnlyKeys(31080, 31111, 31112);
    assertThat(p.byPort().get(31111)).isEqualTo(new VServiceExposure(31111, "shop"));
    assertThat(p.byPort().get(31080)).isInstanceOf(AppExposure.class);
    assertThat(p.conflicts()).containsExactly("port 31080 of external vservice web is taken by apps exposed on every node");
  }

  @Test
  void appTargets_areTheListeningSocketsOfTheExposedApps_onTheirPort() {
    DataplaneState s = DataplaneState.EMPTY
        .withApp(app("a0000001", "node2", "8000:0.0.0.0:31080"))
        .withApp(app("a0000002", "node3", "8000:0.0.0.0:31080"))
        .withServer(server("a0000001", "node2", "192.0.2.2:31080"))
        .withServer(new ServerEntry("node3/x", new AppId("a0000002"), "web", Transport.TCP, Endpoints.parse("s", "198.18.0.1:9000"), Endpoints.parse("h", "192.0.2.3:40001"), Labels.parse("l", ""), "node3", "c")) // another port of it
        .withServer(server("a0000009", "node3", "192.0.2.3:31080")); // not an exposing app

    AppExposure x = (AppExposure) ExposurePlan.of(s, "node1", NODE1).byPort().get(31080);

    assertThat(ExposurePlan.appTargets(s, x)).containsExactly(Endpoints.parse("h", "192.0.2.2:31080"));
    assertThat(x.apps()).containsOnlyKeys(new AppId("a0000001"), new AppId("a0000002"));
  }
}
