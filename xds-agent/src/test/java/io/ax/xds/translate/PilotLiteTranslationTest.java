package io.ax.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.VService;
import io.ax.xds.pilot.Fixtures;
import io.ax.xds.pilot.config.ConfigObject;
import io.ax.xds.pilot.mesh.MeshBuilder;
import io.ax.xds.pilot.mesh.MeshOptions;
import io.ax.xds.pilot.xds.IstioResources;
import io.ax.xds.pilot.xds.XdsGenerator;
import io.ax.xds.resource.ResourceParser;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The seam between pilot-lite and the agent: what pilot-lite makes of the bookinfo YAML, parsed
 * and translated as the agent does, gives the vservices a user expects.
 */
class PilotLiteTranslationTest {
  private static Translation translate(String... filesOrYaml) throws Exception {
    return translate(Fixtures.objects(filesOrYaml));
  }

  /** What the agent makes of what pilot-lite serves for these config objects. */
  static Translation translate(List<ConfigObject> objects) throws Exception {
    return Translator.translate(PilotLiteSnapshots.of(objects));
  }

  private static VService reviews(Translation t) {
    return t.vservices().stream().filter(v -> v.getName().equals("reviews.default-9080")).findFirst().orElseThrow();
  }

  @Test
  void translate_destinationRuleAllOfIstio_clusterResilienceParsedAsTheDaemonTakesIt() throws Exception {
    IstioResources r = XdsGenerator.generate(MeshBuilder.build(Fixtures.objects(Fixtures.TESTDATA_DR_ALL), MeshOptions.DEFAULTS));
    Cluster destall = r.clusters().stream().filter(c -> c.getName().equals("outbound|81||destall.default.svc.cluster.local")).findFirst().orElseThrow();

    io.ax.xds.resource.ClusterResilience res = ResourceParser.parseCluster(destall).resilience();

    assertThat(res.connectTimeout()).contains(java.time.Duration.ofSeconds(6));
    assertThat(res.maxConnections()).hasValue(99);
    // consecutive5xxErrors unset: Envoy's default of 5 counts, enforced; gateway errors are not enforced by default.
    assertThat(res.outlier()).contains(new io.ax.xds.resource.ClusterResilience.Outlier(5, java.time.Duration.ofMinutes(1), 11));
  }

  @Test
  void translate_splitWithSubsetRules_eachSubsetCarriesItsClustersResilience() throws Exception {
    Translation t = translate("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: echo, namespace: default}
        spec:
          hosts: [echo.default.svc.cluster.local]
          addresses: [198.18.0.5]
          ports: [{number: 9000, name: tcp, protocol: TCP}]
          resolution: STATIC
          endpoints: [{address: 198.19.0.1, labels: {version: v1}}, {address: 198.19.0.2, labels: {version: v2}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: echo, namespace: default}
        spec:
          host: echo.default.svc.cluster.local
          trafficPolicy:
            connectionPool: {tcp: {connectTimeout: 300ms, maxConnections: 2}}
            outlierDetection: {consecutiveGatewayErrors: 3, consecutive5xxErrors: 0, baseEjectionTime: 15s, maxEjectionPercent: 50}
          subsets:
          - {name: v1, labels: {version: v1}}
          - name: v2
            labels: {version: v2}
            trafficPolicy: {connectionPool: {tcp: {maxConnections: 7}}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: echo, namespace: default}
        spec:
          hosts: [echo.default.svc.cluster.local]
          tcp:
          - route:
            - {destination: {host: echo.default.svc.cluster.local, subset: v1}, weight: 50}
            - {destination: {host: echo.default.svc.cluster.local, subset: v2}, weight: 50}
        """);
    VService echo = t.vservices().stream().filter(v -> v.getName().equals("echo.default-9000")).findFirst().orElseThrow();

    io.ax.admin.v1.OutlierDetection outlier = io.ax.admin.v1.OutlierDetection.newBuilder()
        .setConsecutiveFailures(3).setBaseEjectionMs(15_000).setMaxEjectionPercent(50).build();
    assertThat(echo.getSubsetsList()).extracting(s -> s.getName() + " " + s.getResilience().getConnectTimeoutMs() + "ms max " + s.getResilience().getMaxConnections())
        .as("v2's connectionPool replaces the host's as a whole (istiod's MergeTrafficPolicy): the mesh's 10 s timeout")
        .containsExactly("v1 300ms max 2", "v2 10000ms max 7");
    assertThat(echo.getSubsetsList()).allSatisfy(s -> assertThat(s.getResilience().getOutlierDetection()).isEqualTo(outlier));
  }

  @Test
  void translate_localityOfIstio_backendLocalitiesAndFailoverReachTheDaemon() throws Exception {
    Translation t = translate("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: locality, namespace: default}
        spec:
          hosts: [locality.cluster.local]
          addresses: [198.18.0.6]
          ports: [{number: 80, name: tcp, protocol: TCP}]
          resolution: STATIC
          endpoints:
          - {address: 198.19.0.1, locality: us-east/a/rack1}
          - {address: 198.19.0.2, locality: eu-west/b}
        """, "tests/testdata/config/destination-rule-locality.yaml");
    VService v = t.vservices().stream().filter(x -> x.getName().equals("locality.cluster.local-80")).findFirst().orElseThrow();

    assertThat(v.getBackendsList()).extracting(b -> b.getIp() + " " + b.getLocality()).containsExactlyInAnyOrder("198.19.0.1 us-east/a/rack1", "198.19.0.2 eu-west/b");
    assertThat(v.getResilience().getLocalityLb().getMode()).isEqualTo(io.ax.admin.v1.LocalityMode.LOCALITY_FAILOVER);
    assertThat(v.getResilience().getOutlierDetection().getBaseEjectionMs()).isEqualTo(180_000);
    assertThat(v.getResilience().getOutlierDetection().getMaxEjectionPercent()).isEqualTo(100);
  }

  @Test
  void translate_bookinfo_givesFourServicesWithVipsAndBackends() throws Exception {
    Translation t = translate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS);

    assertThat(t.vservices()).extracting(VService::getName)
        .containsExactly("details.default-9080", "productpage.default-9080", "ratings.default-9080", "reviews.default-9080");
    assertThat(t.vservices()).allSatisfy(v -> assertThat(v.getIp()).isNotEmpty());
    assertThat(reviews(t).getLbType()).isEqualTo(LbType.ROUND_ROBIN);
    assertThat(reviews(t).getBackendsList()).extracting(Backend::getIp).containsExactlyInAnyOrder("10.244.0.12", "10.244.0.13", "10.244.0.14");
  }

  @Test
  void translate_bookinfoWithRandomDestinationRule_givesReviewsRandom() throws Exception {
    Translation t = translate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, Fixtures.DR_REVIEWS);

    assertThat(reviews(t).getLbType()).isEqualTo(LbType.RANDOM);
  }

  @Test
  void translate_bookinfoWith80To20VirtualService_givesReviewsTwoSubsets() throws Exception {
    Translation t = translate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, Fixtures.DR_ALL, Fixtures.VS_80_20);

    assertThat(reviews(t).getSubsetsList()).extracting(Subset::getName, Subset::getWeight, s -> s.getBackends(0).getIp())
        .containsExactly(tuple("v1", 80, "10.244.0.12"), tuple("v2", 20, "10.244.0.13"));
  }

  @Test
  void translate_bookinfoWithJasonVirtualService_routesToV3AndReportsTheHeaderMatch() throws Exception {
    Translation t = translate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, Fixtures.DR_ALL, Fixtures.VS_JASON);

    assertThat(reviews(t).getSubsetsList()).extracting(Subset::getName, Subset::getWeight).containsExactly(tuple("v3", 100));
    assertThat(t.notes()).filteredOn(n -> n.startsWith("reviews.default-9080: ignored L7 rules")).singleElement().asString().contains("headers [end-user]");
  }

  @Test
  void translate_gatewayApiRoute9010_givesReviewsTheVersionServicesAsSubsets() throws Exception {
    Translation t = translate(Fixtures.BOOKINFO, "samples/bookinfo/platform/kube/bookinfo-versions.yaml",
        "samples/bookinfo/gateway-api/route-reviews-90-10.yaml", Fixtures.BOOKINFO_WORKLOADS);

    assertThat(reviews(t).getSubsetsList()).extracting(Subset::getName, Subset::getWeight, s -> s.getBackends(0).getIp())
        .containsExactly(tuple("reviews-v1.default-9080", 90, "10.244.0.12"), tuple("reviews-v2.default-9080", 10, "10.244.0.13"));
  }
}
