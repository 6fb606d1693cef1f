package io.ax.xds.pilot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.xds.pilot.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigParserTest {
  private static ConfigParser.Parsed parse(String yaml) throws ConfigException {
    return ConfigParser.parse("t.yaml", yaml.getBytes(StandardCharsets.UTF_8), Yaml.Format.YAML);
  }

  private static ConfigParser.Parsed fixture(String path) throws Exception {
    return ConfigParser.parse("f.yaml", Fixtures.bytes(path), Yaml.Format.YAML);
  }

  @Test
  void parse_bookinfo_fourServicesAndOtherKindsIgnored() throws Exception {
    ConfigParser.Parsed p = fixture(Fixtures.BOOKINFO);

    assertThat(p.objects()).hasSize(4).allSatisfy(o -> assertThat(o).isInstanceOf(KubeService.class));
    KubeService reviews = (KubeService) p.objects().get(2);
    assertThat(reviews.meta().name()).isEqualTo("reviews");
    assertThat(reviews.meta().namespace()).isEqualTo("default");
    assertThat(reviews.clusterIp()).isInstanceOf(KubeService.ClusterIp.Unset.class);
    assertThat(reviews.ports()).containsExactly(new KubeService.ServicePort("http", 9080, new KubeService.TargetPort.Same(), "TCP", ""));
    assertThat(reviews.selector()).isEqualTo(Map.of("app", "reviews"));
    assertThat(p.ignoredKinds()).containsExactlyInAnyOrder("v1/ServiceAccount", "apps/v1/Deployment");
  }

  @Test
  void parse_destinationRuleReviews_randomWithThreeSubsets() throws Exception {
    DestinationRule dr = (DestinationRule) fixture(Fixtures.DR_REVIEWS).objects().getFirst();

    assertThat(dr.host()).isEqualTo("reviews");
    assertThat(dr.trafficPolicy().loadBalancer()).contains(new LoadBalancer.Simple(LoadBalancer.SimpleLb.RANDOM));
    assertThat(dr.subsets()).extracting(DestinationRule.Subset::name).containsExactly("v1", "v2", "v3");
    assertThat(dr.subsets().get(1).labels()).isEqualTo(Map.of("version", "v2"));
  }

  @Test
  void parse_istioTestdataDestinationRuleAll_serviceEntryAndConsistentHashSubset() throws Exception {
    List<ConfigObject> objects = fixture(Fixtures.TESTDATA_DR_ALL).objects();

    ServiceEntry se = (ServiceEntry) objects.get(0);
    assertThat(se.hosts()).containsExactly("destall.default.svc.cluster.local");
    assertThat(se.resolution()).isEqualTo(ServiceEntry.Resolution.STATIC);
    assertThat(se.ports()).containsExactly(new ServiceEntry.Port(81, "http", "HTTP", 0));
    assertThat(se.endpoints()).containsExactly(new Workload("127.0.0.2", Map.of(), Map.of("http", 7072), 1, ""));
    DestinationRule dr = (DestinationRule) objects.get(1);
    assertThat(dr.meta().namespace()).isEqualTo("testns");
    assertThat(dr.trafficPolicy().loadBalancer()).contains(new LoadBalancer.Simple(LoadBalancer.SimpleLb.ROUND_ROBIN));
    assertThat(dr.subsets().get(1).trafficPolicy().loadBalancer())
        .contains(new LoadBalancer.ConsistentHash(LoadBalancer.HashAlgorithm.RING_HASH, OptionalLong.of(42)));
  }

  @Test
  void parse_legacyDestinationPolicy_randomOnReviews() throws Exception {
    DestinationPolicy dp = (DestinationPolicy) fixture(Fixtures.POLICY_REVIEWS).objects().getFirst();

    assertThat(dp.destinationName()).isEqualTo("reviews");
    assertThat(dp.destinationNamespace()).isEqualTo("default");
    assertThat(dp.labels()).isEmpty();
    assertThat(dp.policy()).isEqualTo(LoadBalancer.SimpleLb.RANDOM);
  }

  @Test
  void parse_virtualService8020_weightedDestinations() throws Exception {
    VirtualService vs = (VirtualService) fixture(Fixtures.VS_80_20).objects().getFirst();

    assertThat(vs.hosts()).containsExactly("reviews");
    assertThat(vs.http()).hasSize(1);
    assertThat(vs.http().getFirst().route()).extracting(VirtualService.Destination::subset, VirtualService.Destination::weight)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(java.util.Optional.of("v1"), 80), org.assertj.core.groups.Tuple.tuple(java.util.Optional.of("v2"), 20));
  }

  @Test
  void parse_virtualServiceJason_headerMatchKept() throws Exception {
    VirtualService vs = (VirtualService) fixture(Fixtures.VS_JASON).objects().getFirst();

    assertThat(vs.http()).hasSize(2);
    assertThat(vs.http().get(0).match()).hasSize(1);
    assertThat(vs.http().get(0).match().getFirst().headers()).isEqualTo(Map.of("end-user", new VirtualService.StringMatch.Exact("jason")));
    assertThat(vs.http().get(1).match()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"v1", "v1beta1", "v1alpha3"})
  void parse_destinationRuleVersions_accepted(String version) throws Exception {
    ConfigParser.Parsed p = parse("apiVersion: networking.istio.io/" + version + "\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: reviews\n");

    assertThat(p.objects()).singleElement().isInstanceOf(DestinationRule.class);
  }

  @Test
  void parse_leastConn_readAsLeastRequest() throws Exception {
    DestinationRule dr = (DestinationRule) parse("""
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {name: r}
        spec:
          host: reviews
          trafficPolicy: {loadBalancer: {simple: LEAST_CONN}}
        """).objects().getFirst();

    assertThat(dr.trafficPolicy().loadBalancer()).contains(new LoadBalancer.Simple(LoadBalancer.SimpleLb.LEAST_REQUEST));
  }

  @Test
  void parse_unknownLoadBalancer_errorNamesLineValueAndChoices() {
    assertThatThrownBy(() -> parse("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: r}
        spec:
          host: reviews
          trafficPolicy:
            loadBalancer:
              simple: FASTEST
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("8: spec.trafficPolicy.loadBalancer.simple: unknown value 'FASTEST'")
        .hasMessageContaining("ROUND_ROBIN, RANDOM, LEAST_REQUEST");
  }

  @Test
  void parse_badYaml_errorNamesTheLine() {
    assertThatThrownBy(() -> parse("apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n"))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).line()).isBetween(4, 5))
        .hasMessageContaining("invalid YAML");
  }

  @Test
  void parse_missingRequiredField_errorNamesThePath() {
    assertThatThrownBy(() -> parse("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  http: []\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("5: spec.hosts is required");
  }

  @Test
  void parse_portOutOfRange_errorNamesValueAndRange() {
    assertThatThrownBy(() -> parse("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 70000\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("6: spec.ports[0].port: expected a whole number 1-65535, got '70000'");
  }

  @Test
  void parse_unsupportedIstioVersion_refused() {
    assertThatThrownBy(() -> parse("apiVersion: networking.istio.io/v2\nkind: DestinationRule\nmetadata: {name: r}\nspec: {host: x}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unsupported version 'networking.istio.io/v2'");
  }

  @Test
  void parse_weightsOnSplitMissing_refused() {
    assertThatThrownBy(() -> parse("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: r}
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination: {host: reviews, subset: v1}
            - destination: {host: reviews, subset: v2}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("spec.http[0].route: has several destinations and no weights");
  }

  @Test
  void parse_workloadEntry_portsWeightLocality() throws Exception {
    WorkloadEntry we = (WorkloadEntry) parse("""
        apiVersion: networking.istio.io/v1beta1
        kind: WorkloadEntry
        metadata: {name: vm1, namespace: ns1}
        spec:
          address: 192.168.1.5
          labels: {app: db}
          ports: {tcp-db: 5432}
          weight: 3
          locality: eu/west/a
        """).objects().getFirst();

    assertThat(we.meta().namespace()).isEqualTo("ns1");
    assertThat(we.workload()).isEqualTo(new Workload("192.168.1.5", Map.of("app", "db"), Map.of("tcp-db", 5432), 3, "eu/west/a"));
  }

  @Test
  void parse_oneListDocumentOverSnakeYamlsDefault3MiB_readsEveryItem() throws Exception {
    StringBuilder y = new StringBuilder("apiVersion: v1\nkind: List\nitems:\n");
    int n = 0;
    while (y.length() < 4 << 20) {
      y.append("""
          - apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: w-%d, namespace: big}
            spec: {address: 10.%d.%d.%d, labels: {app: big}}
          """.formatted(n, 10 + n / 65536, n / 256 % 256, n % 256));
      n++;
    }

    ConfigParser.Parsed parsed = ConfigParser.parse("big.yaml", y.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), Yaml.Format.YAML);

    assertThat(parsed.objects()).hasSize(n);
  }
}
