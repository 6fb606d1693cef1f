package io.ax.xds.pilot.apps;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.admin.v1.Endpoint;
import io.ax.admin.v1.Label;
import io.ax.admin.v1.Protocol;
import io.ax.admin.v1.Server;
import io.ax.xds.pilot.Fixtures;
import io.ax.xds.pilot.config.ConfigObject;
import io.ax.xds.pilot.config.WorkloadEntry;
import io.ax.xds.pilot.mesh.MeshBuilder;
import io.ax.xds.pilot.mesh.MeshOptions;
import io.ax.xds.pilot.xds.IstioResources;
import io.ax.xds.pilot.xds.XdsGenerator;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ax apps as Istio's pods, through Istio's own unmodified bookinfo.yaml and destination-rule-all.yaml. */
class AppWorkloadsTest {
  static final String REVIEWS = "reviews.default.svc.cluster.local";

  static Server server(String id, String app, String name, Protocol protocol, String ip, int port, String... labels) {
    Server.Builder b = Server.newBuilder().setId(id).setAppId(app).setName(name).setProtocol(protocol)
        .setServiceAddr(Endpoint.newBuilder().setIp(ip).setPort(port)).setHostAddr(Endpoint.newBuilder().setIp("192.0.2.1").setPort(40000));
    for (String l : labels) {
      String[] kv = l.split("=", 2);
      b.addLabels(Label.newBuilder().setKey(kv[0]).setValue(kv[1]));
    }
    return b.build();
  }

  @Test
  void of_oneWorkloadPerAppAndServiceIp_listeningOnItsTcpPorts_inItsNamespaceLabel() {
    List<WorkloadEntry> w = AppWorkloads.of(List.of(
        server("n1/1", "aaaa0001", "reviews-v1", Protocol.TCP, "198.18.0.11", 9080, "app=reviews", "version=v1"),
        server("n1/2", "aaaa0001", "reviews-v1", Protocol.TCP, "198.18.0.11", 9443, "app=reviews", "version=v1"),
        server("n1/3", "aaaa0001", "reviews-v1", Protocol.UDP, "198.18.0.11", 53, "app=reviews", "version=v1"),
        server("n2/4", "bbbb0002", "<uuid>", Protocol.TCP, "198.18.0.12", 8080, "app=web", "namespace=shop")));

    assertThat(w).hasSize(2);
    assertThat(w.get(0).meta().id()).isEqualTo("WorkloadEntry default/ax-reviews-v1-aaaa0001");
    assertThat(w.get(0).workload().address()).isEqualTo("198.18.0.11");
    assertThat(w.get(0).workload().labels()).isEqualTo(Map.of("app", "reviews", "version", "v1"));
    assertThat(w.get(0).workload().listening()).containsExactlyInAnyOrder(9080, 9443);
    assertThat(w.get(0).workload().serves(53)).as("UDP is no readiness of a TCP service").isFalse();
    assertThat(w.get(1).meta().id()).isEqualTo("WorkloadEntry shop/ax-bbbb0002");
    assertThat(w.get(1).workload().listening()).containsExactly(8080);
  }

  @Test
  void istiosBookinfo_appsSelectedByLabels_subsetsByVersion_onlyOnPortsTheyListenOn() throws Exception {
    List<ConfigObject> objects = new ArrayList<>(Fixtures.objects(Fixtures.BOOKINFO, Fixtures.DR_ALL));
    objects.addAll(AppWorkloads.of(List.of(
        server("n1/1", "aaaa0001", "reviews-v1", Protocol.TCP, "198.18.0.11", 9080, "app=reviews", "version=v1"),
        server("n1/2", "aaaa0002", "reviews-v2", Protocol.TCP, "198.18.0.12", 9080, "app=reviews", "version=v2"),
        // Listens, but not on the Service's targetPort: not ready for it.
        server("n1/3", "aaaa0003", "reviews-v3", Protocol.TCP, "198.18.0.13", 8000, "app=reviews", "version=v3"),
        // The right labels in another namespace: not bookinfo's.
        server("n1/4", "aaaa0004", "reviews-other", Protocol.TCP, "198.18.0.14", 9080, "app=reviews", "version=v1", "namespace=other"))));

    IstioResources r = XdsGenerator.generate(MeshBuilder.build(objects, MeshOptions.DEFAULTS));

    assertThat(addresses(r, "outbound|9080||" + REVIEWS)).containsExactlyInAnyOrder("198.18.0.11:9080", "198.18.0.12:9080");
    assertThat(addresses(r, "outbound|9080|v1|" + REVIEWS)).containsExactly("198.18.0.11:9080");
    assertThat(addresses(r, "outbound|9080|v2|" + REVIEWS)).containsExactly("198.18.0.12:9080");
    assertThat(addresses(r, "outbound|9080|v3|" + REVIEWS)).isEmpty();
    assertThat(addresses(r, "outbound|9080||ratings.default.svc.cluster.local")).isEmpty();
  }

  @Test
  void locality_fromIstiosPodLabels() {
    assertThat(AppWorkloads.locality(Map.of("istio-locality", "us-east.us-east-1a.rack1"))).isEqualTo("us-east/us-east-1a/rack1");
    assertThat(AppWorkloads.locality(Map.of("topology.kubernetes.io/region", "eu", "topology.kubernetes.io/zone", "eu-1b",
        "topology.istio.io/subzone", "r2"))).isEqualTo("eu/eu-1b/r2");
    assertThat(AppWorkloads.locality(Map.of("topology.kubernetes.io/region", "eu"))).isEqualTo("eu");
    assertThat(AppWorkloads.locality(Map.of("app", "reviews"))).isEmpty();
    List<WorkloadEntry> w = AppWorkloads.of(List.of(
        server("n1/1", "aaaa0001", "reviews-v1", Protocol.TCP, "198.18.0.11", 9080, "app=reviews", "istio-locality=us-east.a.rack1")));
    assertThat(w.getFirst().workload().locality()).isEqualTo("us-east/a/rack1");
  }

  static List<String> addresses(IstioResources r, String cluster) {
    ClusterLoadAssignment cla = r.endpoints().stream().filter(c -> c.getClusterName().equals(cluster)).findFirst()
        .orElseThrow(() -> new AssertionError("no CLA " + cluster));
    return cla.getEndpointsList().stream().flatMap(l -> l.getLbEndpointsList().stream())
        .map(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress() + ":" + e.getEndpoint().getAddress().getSocketAddress().getPortValue())
        .toList();
  }
}
