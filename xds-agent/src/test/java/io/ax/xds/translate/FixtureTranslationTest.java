package io.ax.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.VService;
import io.ax.xds.resource.ClusterResource;
import io.ax.xds.resource.EndpointResource;
import io.ax.xds.resource.EnvoyProtos;
import io.ax.xds.resource.Health;
import io.ax.xds.resource.LbEndpoint;
import io.ax.xds.resource.LbPolicy;
import io.ax.xds.resource.ListenerResource;
import io.ax.xds.resource.ResourceParser;
import io.ax.xds.resource.RouteResource;
import io.ax.xds.resource.XdsAddress;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Translation of the real Istio config dumps in istio-samples/fixtures. */
class FixtureTranslationTest {
  private static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";

  @Test
  void read_edsDump_reviewsHasItsThreeHealthyEndpoints() throws Exception {
    ConfigDumps.ConfigDump dump = ConfigDumps.read(Fixtures.path(Fixtures.EDS));

    EndpointResource reviews = dump.snapshot().endpoints().get(REVIEWS);
    assertThat(dump.snapshot().endpoints()).hasSize(37);
    assertThat(reviews.endpoints()).containsExactly(
        new LbEndpoint(new XdsAddress.Ipv4("10.244.0.192", 9080), Health.HEALTHY, 1, reviews.endpoints().get(0).locality(), 0),
        new LbEndpoint(new XdsAddress.Ipv4("10.244.0.193", 9080), Health.HEALTHY, 1, reviews.endpoints().get(0).locality(), 0),
        new LbEndpoint(new XdsAddress.Ipv4("10.244.0.195", 9080), Health.HEALTHY, 1, reviews.endpoints().get(0).locality(), 0));
    // the sds-grpc static endpoint is a unix pipe: valid, kept for translation to report
    assertThat(dump.snapshot().endpoints().get("sds-grpc").endpoints()).extracting(LbEndpoint::address)
        .containsExactly(new XdsAddress.Pipe("./var/run/secrets/workload-spiffe-uds/socket"));
  }

  @Test
  void translate_edsDumpWithReviewsClusterAndVip_givesThreeWeightedBackends() throws Exception {
    XdsSnapshot eds = ConfigDumps.read(Fixtures.path(Fixtures.EDS)).snapshot();
    XdsSnapshot withCluster = new XdsSnapshot(
        Map.of(REVIEWS, ResourceParser.parseCluster(EnvoyProtos.edsCluster(REVIEWS, Cluster.LbPolicy.ROUND_ROBIN))),
        eds.endpoints(),
        Map.of("10.96.36.43_9080", ResourceParser.parseListener(EnvoyProtos.tcpListener("10.96.36.43", 9080, REVIEWS))),
        Map.of());

    Translation t = Translator.translate(withCluster);

    assertThat(t.vservices()).singleElement().satisfies(v -> {
      assertThat(v.getName()).isEqualTo("reviews.default-9080");
      assertThat(v.getBackendsList()).containsExactly(backend("10.244.0.192"), backend("10.244.0.193"), backend("10.244.0.195"));
    });
    assertThat(t.notes()).anySatisfy(n -> assertThat(n).startsWith("36 EDS resource(s) that no cluster uses"));
  }

  @Test
  void translate_istio110SidecarDump_givesEachServiceItsVip() throws Exception {
    Translation t = Translator.translate(ConfigDumps.read(Fixtures.path(Fixtures.SIDECAR_1_10)).snapshot());

    Map<String, VService> byName = t.vservices().stream().collect(Collectors.toMap(VService::getName, v -> v));
    VService reviews = byName.get("reviews.default-9080");
    assertThat(reviews.getIp()).isEqualTo("10.96.36.43");
    assertThat(reviews.getPortsList()).containsExactly(PortMapping.newBuilder().setVport(9080).setAppPort(9080).build());
    assertThat(reviews.getHostnamesList()).containsExactly("reviews.default.svc.cluster.local");
    assertThat(reviews.getLbType()).isEqualTo(LbType.ROUND_ROBIN);
    assertThat(reviews.getBackendsList()).isEmpty(); // the dump has no EDS
    assertThat(byName).extractingFromEntries(e -> e.getKey() + "=" + e.getValue().getIp()).contains(
        "details.default-9080=10.96.41.217",
        "productpage.default-9080=10.96.28.3",
        "ratings.default-9080=10.96.135.117",
        "kubernetes.default-443=10.96.0.1",
        "kube-dns.kube-system-53=10.96.0.10",
        "istiod.istio-system-15012=10.96.186.223");
    assertThat(t.vservices()).hasSize(18).extracting(VService::getName).isSorted();
    assertThat(t.notes()).contains("PassthroughCluster is ORIGINAL_DST (passthrough): no vservice; those connections go direct");
    assertThat(t.notes()).anySatisfy(n -> assertThat(n).startsWith("18 cluster(s) have no endpoints yet"));
  }

  @Test
  void read_httpConfig_productpageV1SubsetIsLeastRequestAndBecomesLeastConn() throws Exception {
    XdsSnapshot dump = ConfigDumps.read(Fixtures.path(Fixtures.HTTP_CONFIG)).snapshot();
    String v1 = "outbound|9080|v1|productpage.default.svc.cluster.local";
    String productpage = "outbound|9080||productpage.default.svc.cluster.local";
    ClusterResource subset = dump.clusters().get(v1);
    assertThat(subset.lbPolicy()).isEqualTo(LbPolicy.LEAST_REQUEST);
    assertThat(LbTypes.of(subset.lbPolicy())).contains(LbType.LEAST_CONN);
    // as it stands the dump routes to the default cluster, which it does not hold: the subset is unused, and said so
    assertThat(Translator.translate(dump).notes()).contains("1 subset cluster(s) that no catch-all route of their host selects: unused: " + v1);

    // with the default cluster, a vIP and a VirtualService to v1, the subset carries its policy
    Map<String, ClusterResource> clusters = new HashMap<>(dump.clusters());
    clusters.put(productpage, ResourceParser.parseCluster(EnvoyProtos.edsCluster(productpage, Cluster.LbPolicy.ROUND_ROBIN)));
    RouteResource route = ResourceParser.parseRoute(EnvoyProtos.routes("9080", EnvoyProtos.vhost("productpage.default.svc.cluster.local:9080",
        List.of("productpage", "10.96.28.3"), EnvoyProtos.toCluster(EnvoyProtos.prefix("/"), v1))));
    Translation t = Translator.translate(new XdsSnapshot(clusters, Map.of(), Map.of(), Map.of("9080", route)));

    assertThat(t.vservices()).singleElement().satisfies(v -> {
      assertThat(v.getIp()).isEqualTo("10.96.28.3");
      assertThat(v.getSubsetsList()).singleElement().satisfies(s -> {
        assertThat(s.getName()).isEqualTo("v1");
        assertThat(s.getWeight()).isEqualTo(100);
        assertThat(s.getLbType()).isEqualTo(LbType.LEAST_CONN);
      });
    });
  }

  @Test
  void read_legacyV2Dump_isRefusedWithOneClearLine() {
    assertThatThrownBy(() -> ConfigDumps.read(Fixtures.path(Fixtures.LEGACY_V2)))
        .isInstanceOf(ConfigDumpException.class)
        .hasMessage("config dump " + Fixtures.path(Fixtures.LEGACY_V2) + " holds Envoy v2 resources (envoy.api.v2.Cluster); ax reads v3 (Istio 1.5 and later)");
  }

  @Test
  void translate_waypointDump_givesNoVserviceAndSaysWhy() throws Exception {
    ConfigDumps.ConfigDump dump = ConfigDumps.read(Fixtures.path(Fixtures.WAYPOINT));

    Translation t = Translator.translate(dump.snapshot());

    assertThat(dump.snapshot().clusters()).containsKey("inbound-vip|8000|http|httpbin.default.svc.cluster.local");
    assertThat(dump.snapshot().listeners()).containsKey("main_internal");
    assertThat(t.vservices()).isEmpty();
    assertThat(t.notes()).contains("1 inbound cluster(s) serve this proxy's own workload, not outbound traffic: ignored: inbound-vip|8000|http|httpbin.default.svc.cluster.local");
    assertThat(dump.notes()).containsExactly("skipped 1 unnamed static resource(s) of Envoy's bootstrap (health and stats listeners); istiod sends none of them");
  }

  @Test
  void read_sameDumpInSnakeCaseAndCamelCase_parsesEqually() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode camel = json.readTree(Files.readString(Fixtures.path(Fixtures.SIDECAR_1_10)));
    JsonNode snake = snakeCase(camel);
    assertThat(snake.toString()).contains("\"dynamic_active_clusters\"").doesNotContain("\"dynamicActiveClusters\"");

    XdsSnapshot fromCamel = ConfigDumps.parse(camel.toString(), "camel").snapshot();
    XdsSnapshot fromSnake = ConfigDumps.parse(snake.toString(), "snake").snapshot();

    assertThat(fromSnake).isEqualTo(fromCamel);
    assertThat(fromCamel.clusters()).hasSize(28);
    assertThat(fromCamel.routes()).containsKey("9080");
    ListenerResource l = fromCamel.listeners().get("0.0.0.0_9080");
    assertThat(l.routeNames()).containsExactly("9080");
  }

  private static Backend backend(String ip) {
    return Backend.newBuilder().setIp(ip).setPort(9080).setWeight(1).build();
  }

  /** Renames every lowerCamelCase key to snake_case, as Envoy prints proto field names. */
  private static JsonNode snakeCase(JsonNode node) {
    if (node instanceof ObjectNode o) {
      ObjectNode out = o.objectNode();
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        String key = e.getKey().startsWith("@") ? e.getKey() : e.getKey().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
        out.set(key, snakeCase(e.getValue()));
      }
      return out;
    }
    if (node instanceof ArrayNode a) {
      ArrayNode out = a.arrayNode();
      a.forEach(e -> out.add(snakeCase(e)));
      return out;
    }
    return node;
  }
}
