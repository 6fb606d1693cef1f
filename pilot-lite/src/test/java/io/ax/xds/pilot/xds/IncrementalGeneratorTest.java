package io.ax.xds.pilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.xds.pilot.Fixtures;
import io.ax.xds.pilot.mesh.MeshBuilder;
import io.ax.xds.pilot.mesh.MeshOptions;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncrementalGeneratorTest {
  /** A route from productpage to a subset of reviews: productpage's resources depend on reviews' rules. */
  static final String PRODUCTPAGE_TO_REVIEWS_V2 = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: productpage
      spec:
        hosts: [productpage]
        http:
        - route:
          - destination: {host: reviews, subset: v2}
      """;

  final IncrementalGenerator generator = new IncrementalGenerator();

  IstioResources incremental(String... filesOrYaml) throws Exception {
    return generator.generate(MeshBuilder.build(Fixtures.objects(filesOrYaml), MeshOptions.DEFAULTS));
  }

  static IstioResources full(String... filesOrYaml) throws Exception {
    return XdsGeneratorTest.generate(filesOrYaml);
  }

  @Test
  void generate_sequenceOfChanges_sameAsGeneratingEachMeshAfresh() throws Exception {
    List<String[]> steps = List.of(
        new String[] {Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS},
        new String[] {Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, PRODUCTPAGE_TO_REVIEWS_V2},
        new String[] {Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, PRODUCTPAGE_TO_REVIEWS_V2, Fixtures.DR_REVIEWS},
        new String[] {Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, Fixtures.DR_ALL, Fixtures.VS_80_20},
        new String[] {Fixtures.BOOKINFO, Fixtures.DR_ALL, Fixtures.VS_JASON},
        new String[] {Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS},
        new String[] {Fixtures.TESTDATA_DR_ALL});
    for (String[] step : steps) {
      assertThat(incremental(step)).as(String.join(" + ", step)).isEqualTo(full(step));
    }
  }

  @Test
  void generate_ruleOfOneHostChanged_otherServicesKeepTheirObjects() throws Exception {
    IstioResources before = incremental(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS);
    IstioResources after = incremental(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, Fixtures.DR_REVIEWS);

    String details = "outbound|9080||details.default.svc.cluster.local";
    assertThat(cluster(after, details)).isSameAs(cluster(before, details));
    assertThat(after.listeners()).isEqualTo(before.listeners());
    assertThat(after.listeners().getFirst()).isSameAs(before.listeners().getFirst());
    assertThat(after.routes().getFirst()).isSameAs(before.routes().getFirst());
    assertThat(cluster(after, "outbound|9080||reviews.default.svc.cluster.local").getLbPolicy()).isEqualTo(Cluster.LbPolicy.RANDOM);
  }

  @Test
  void generate_destinationRulesChanged_routeToTheirSubsetFollows() throws Exception {
    IstioResources without = incremental(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, PRODUCTPAGE_TO_REVIEWS_V2);
    IstioResources with = incremental(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, PRODUCTPAGE_TO_REVIEWS_V2, Fixtures.DR_REVIEWS);

    assertThat(XdsGeneratorTest.vhost(without, "9080", "productpage.default.svc.cluster.local:9080").getRoutes(0).getRoute().getCluster())
        .isEqualTo("outbound|9080||productpage.default.svc.cluster.local");
    assertThat(XdsGeneratorTest.vhost(with, "9080", "productpage.default.svc.cluster.local:9080").getRoutes(0).getRoute().getCluster())
        .isEqualTo("outbound|9080|v2|reviews.default.svc.cluster.local");
  }

  static Cluster cluster(IstioResources r, String name) {
    return XdsGeneratorTest.cluster(r, name);
  }

}
