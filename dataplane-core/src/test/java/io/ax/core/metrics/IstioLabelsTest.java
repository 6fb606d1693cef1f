package io.ax.core.metrics;

import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Istio's labels for ax's connections: from names and labels the operator gave, Istio's values where ax has none. */
class IstioLabelsTest {
  private static final App PRODUCTPAGE = app("0000000a", "productpage", "10.0.0.1", "app=productpage,version=v1,namespace=shop");
  private static final App REVIEWS_V2 = app("000000b2", "<6f1c-uuid>", "10.0.0.22", "app=reviews,version=v2");
  private static final App BARE = app("000000c1", "<9a2e-uuid>", "10.0.0.31", "zone=default");
  private static final Inet4Endpoint REVIEWS_HOST = Endpoints.parse("h", "192.168.1.10:40002");
  private static final VService REVIEWS = withHostname(vservice("reviews.default-9080", "10.96.0.13", LbPolicy.ROUND_ROBIN, List.of("9080"), "10.0.0.22"),
      "reviews.default.svc.cluster.local");
  private static final DataplaneState MESH = DataplaneState.EMPTY
      .withApp(PRODUCTPAGE).withApp(REVIEWS_V2).withApp(BARE)
      .withServer(new ServerEntry("s1", REVIEWS_V2.id(), REVIEWS_V2.name(), Transport.TCP, Endpoints.parse("s", "10.0.0.22:9080"), REVIEWS_HOST, REVIEWS_V2.labels(), "node2", "east"))
      .withVService(REVIEWS);

  private static Map<String, String> labels(String appId, ConnectDecision d) {
    List<String> values = IstioLabels.of(MESH, appId, d, 1).orElseThrow();
    assertThat(values).hasSameSizeAs(IstioLabels.NAMES);
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < values.size(); i++) {
      m.put(IstioLabels.NAMES.get(i), values.get(i));
    }
    return m;
  }

  @Test
  void of_vserviceWithAnIstioHostname_serviceFromTheFqdnWorkloadFromTheBackendApp() {
    Map<String, String> l = labels("0000000a", new ConnectDecision.Targets("reviews.default-9080", List.of(REVIEWS_HOST)));

    assertThat(l).containsEntry("reporter", "source")
        .containsEntry("source_workload", "productpage").containsEntry("source_workload_namespace", "shop")
        .containsEntry("source_app", "productpage").containsEntry("source_version", "v1")
        .containsEntry("source_canonical_service", "productpage").containsEntry("source_canonical_revision", "v1")
        .containsEntry("source_cluster", "appswitch").containsEntry("source_principal", "unknown")
        .containsEntry("destination_service", "reviews.default.svc.cluster.local")
        .containsEntry("destination_service_name", "reviews").containsEntry("destination_service_namespace", "default")
        .containsEntry("destination_workload", "reviews").containsEntry("destination_workload_namespace", "default")
        .containsEntry("destination_app", "reviews").containsEntry("destination_version", "v2")
        .containsEntry("destination_canonical_revision", "v2").containsEntry("destination_cluster", "east")
        .containsEntry("request_protocol", "tcp").containsEntry("response_flags", "-").containsEntry("connection_security_policy", "unknown");
  }

  @Test
  void of_unnamedAppWithoutLabels_unknownAndDefaults_neverItsUuid() {
    Map<String, String> l = labels("000000c1", ConnectDecision.DIRECT);

    assertThat(l).containsEntry("source_workload", "unknown").containsEntry("source_app", "unknown").containsEntry("source_version", "unknown")
        .containsEntry("source_canonical_revision", "latest").containsEntry("source_workload_namespace", "default")
        .containsEntry("destination_service", "unknown").containsEntry("destination_service_name", "PassthroughCluster")
        .containsEntry("destination_workload", "unknown");
    assertThat(l.values()).noneMatch(v -> v.contains("uuid"));
  }

  @Test
  void of_implicitServiceOfAnIp_theServingAppIsTheService() {
    Map<String, String> l = labels("0000000a", new ConnectDecision.Targets("10.0.0.22:9080", List.of(REVIEWS_HOST)));

    assertThat(l).containsEntry("destination_service", "reviews").containsEntry("destination_service_name", "reviews").containsEntry("destination_workload", "reviews");
  }

  @Test
  void of_externalBackend_noDestinationWorkload() {
    Map<String, String> l = labels("0000000a", new ConnectDecision.Targets("reviews.default-9080", List.of(Endpoints.parse("x", "203.0.113.9:9080"))));

    assertThat(l).containsEntry("destination_service_name", "reviews").containsEntry("destination_workload", "unknown").containsEntry("destination_cluster", "unknown");
  }

  @Test
  void of_refusedOrOwnLoopback_notAConnectionOfTheMesh() {
    assertThat(IstioLabels.of(MESH, "0000000a", new ConnectDecision.Refuse(Errno.ECONNREFUSED, "x"), 0)).isEmpty();
    assertThat(IstioLabels.of(MESH, "0000000a", new ConnectDecision.Targets("loopback of app 0000000a", List.of(Endpoints.parse("l", "127.0.0.1:41000"))), 1)).isEmpty();
  }

  private static App app(String id, String name, String ip, String labels) {
    return new App(new AppId(id), name, "node1", "appswitch", Ipv4.parse("ip", ip), "user", Labels.parse("labels", labels), 1000);
  }

  private static VService withHostname(VService v, String hostname) {
    return new VService(v.name(), v.ip(), v.ports(), v.backends(), v.policy(), v.exposure(), v.sourceIp(), v.subsets(), List.of(hostname), v.owner());
  }
}
