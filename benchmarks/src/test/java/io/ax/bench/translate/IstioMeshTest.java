package io.ax.bench.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.VService;
import io.ax.xds.resource.ResourceType;
import io.ax.xds.translate.Translation;
import io.ax.xds.translate.Translator;
import io.ax.xds.translate.XdsSnapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IstioMeshTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 20, 1000})
  void generate_anySize_istiodsResourceCounts(int services) {
    IstioMesh mesh = IstioMesh.generate(services);

    int tcp = (int) java.util.stream.IntStream.range(0, services).filter(IstioMesh::isTcp).count();
    int split = (int) java.util.stream.IntStream.range(0, services).filter(IstioMesh::isSplit).count();
    assertThat(mesh.clusters()).hasSize(services + 2 * split);
    assertThat(mesh.endpoints()).hasSize(services + 2 * split);
    assertThat(mesh.listeners()).hasSize(tcp + (services > tcp ? 1 : 0));
    assertThat(mesh.routes()).hasSize(services > tcp ? 1 : 0);
    if (!mesh.routes().isEmpty()) {
      assertThat(mesh.routes().getFirst().getVirtualHostsCount()).isEqualTo(services - tcp);
    }
    assertThat(mesh.clusters()).extracting(Cluster::getName).doesNotHaveDuplicates()
        .contains("outbound|9080||svc-0.bench.svc.cluster.local");
    Map<ResourceType, List<Any>> packed = mesh.packed();
    assertThat(packed.get(ResourceType.CLUSTER)).hasSameSizeAs(mesh.clusters());
    assertThat(packed.get(ResourceType.ENDPOINT)).allMatch(a -> a.getTypeUrl().equals(ResourceType.ENDPOINT.typeUrl()));
  }

  @Test
  void generate_thousand_tenEndpointsPerServiceInTwoZonesAndEveryPolicy() {
    IstioMesh mesh = IstioMesh.generate(1000);

    Map<String, Integer> endpoints = mesh.endpoints().stream().collect(Collectors.toMap(
        ClusterLoadAssignment::getClusterName, c -> c.getEndpointsList().stream().mapToInt(l -> l.getLbEndpointsCount()).sum()));
    assertThat(endpoints.get("outbound|9080||svc-3.bench.svc.cluster.local")).isEqualTo(IstioMesh.ENDPOINTS);
    assertThat(endpoints.get("outbound|9080|v1|svc-3.bench.svc.cluster.local")).isEqualTo(IstioMesh.ENDPOINTS / 2);
    assertThat(mesh.endpoints().getFirst().getEndpointsCount()).isEqualTo(2);
    assertThat(mesh.clusters()).extracting(Cluster::getLbPolicy).containsOnly(Cluster.LbPolicy.values()[0], Cluster.LbPolicy.RANDOM,
        Cluster.LbPolicy.LEAST_REQUEST, Cluster.LbPolicy.RING_HASH, Cluster.LbPolicy.MAGLEV);
    assertThat(mesh.listeners()).extracting(Listener::getName).contains("0.0.0.0_9080", IstioMesh.vip(9) + "_9080");
    // Every endpoint address is distinct across the mesh.
    assertThat(mesh.endpoints().stream()
        .filter(c -> c.getClusterName().startsWith("outbound|9080||"))
        .flatMap(c -> c.getEndpointsList().stream())
        .flatMap(l -> l.getLbEndpointsList().stream())
        .map(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress())
        .distinct().count()).isEqualTo(10_000);
  }

  @Test
  void translate_generatedMesh_oneVServicePerServiceWithAllBackends() {
    int services = 200;
    XdsSnapshot snapshot = TranslateScale.parse(IstioMesh.generate(services).packed());

    Translation t = Translator.translate(snapshot);

    assertThat(t.vservices()).hasSize(services);
    assertThat(t.vservices()).allMatch(v -> TranslateScale.backends(v) == IstioMesh.ENDPOINTS);
    Map<String, VService> byIp = t.vservices().stream().collect(Collectors.toMap(VService::getIp, v -> v));
    assertThat(byIp.get(IstioMesh.vip(3)).getSubsetsList()).extracting(s -> s.getName() + "=" + s.getWeight()).containsExactly("v1=80", "v2=20");
    assertThat(byIp.get(IstioMesh.vip(9)).getBackendsCount()).isEqualTo(IstioMesh.ENDPOINTS); // TCP, vIP from its listener
    assertThat(byIp.get(IstioMesh.vip(1)).getLbType()).isEqualTo(LbType.RANDOM);
    assertThat(byIp.get(IstioMesh.vip(4)).getLbType()).isEqualTo(LbType.CONSISTENT_HASH);
    assertThat(byIp.get(IstioMesh.vip(0)).getHostnamesList()).containsExactly("svc-0.bench.svc.cluster.local");
    TranslateScale.check(t, services); // returns: the benchmark's own check agrees
  }

  @Test
  void generate_badSize_refused() {
    assertThatThrownBy(() -> IstioMesh.generate(0)).hasMessageContaining("services: 0");
    assertThatThrownBy(() -> IstioMesh.generate(IstioMesh.MAX_SERVICES + 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
