package io.ax.xds.translate;

import static io.ax.xds.resource.EnvoyProtos.assignment;
import static io.ax.xds.resource.EnvoyProtos.edsCluster;
import static io.ax.xds.resource.EnvoyProtos.endpoint;
import static io.ax.xds.resource.EnvoyProtos.httpListener;
import static io.ax.xds.resource.EnvoyProtos.prefix;
import static io.ax.xds.resource.EnvoyProtos.routes;
import static io.ax.xds.resource.EnvoyProtos.tcpListener;
import static io.ax.xds.resource.EnvoyProtos.toCluster;
import static io.ax.xds.resource.EnvoyProtos.vhost;
import static io.ax.xds.resource.EnvoyProtos.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.VService;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Translation of hand-built Istio-shaped snapshots, shaped like what istiod makes of bookinfo's YAML. */
class TranslatorTest {
  private static final String HOST = "reviews.default.svc.cluster.local";
  private static final String REVIEWS = "outbound|9080||" + HOST;
  private static final String V1 = "outbound|9080|v1|" + HOST;
  private static final String V2 = "outbound|9080|v2|" + HOST;
  private static final String V3 = "outbound|9080|v3|" + HOST;
  private static final List<String> DOMAINS = List.of(HOST, HOST + ":9080", "reviews", "reviews:9080", "10.96.36.43", "10.96.36.43:9080");

  /** reviews with subsets v1, v2, v3 (destination-rule-all.yaml), one pod each, and the sidecar's 9080 listener. */
  private static SnapshotBuilder bookinfoReviews() throws Exception {
    return new SnapshotBuilder()
        .cluster(edsCluster(REVIEWS, Cluster.LbPolicy.ROUND_ROBIN))
        .cluster(edsCluster(V1, Cluster.LbPolicy.ROUND_ROBIN))
        .cluster(edsCluster(V2, Cluster.LbPolicy.RANDOM))
        .cluster(edsCluster(V3, Cluster.LbPolicy.ROUND_ROBIN))
        .endpoints(assignment(REVIEWS, endpoint("10.244.0.195", 9080, HealthStatus.HEALTHY, 0), endpoint("10.244.0.193", 9080, HealthStatus.HEALTHY, 0),
            endpoint("10.244.0.192", 9080, HealthStatus.HEALTHY, 0)))
        .endpoints(assignment(V1, endpoint("10.244.0.195", 9080, HealthStatus.HEALTHY, 0)))
        .endpoints(assignment(V2, endpoint("10.244.0.193", 9080, HealthStatus.HEALTHY, 0)))
        .endpoints(assignment(V3, endpoint("10.244.0.192", 9080, HealthStatus.HEALTHY, 0)))
        .listener(httpListener(9080, "9080"));
  }

  @Test
  void translate_weightedClusters80To20_becomesTwoWeightedSubsets() throws Exception {
    // virtual-service-reviews-80-20.yaml: v1 weight 80, v2 weight 20
    XdsSnapshot s = bookinfoReviews().routes(routes("9080", vhost(HOST + ":9080", DOMAINS, weighted(prefix("/"), V1, 80, V2, 20)))).build();

    Translation t = Translator.translate(s);

    VService reviews = t.vservices().getFirst();
    assertThat(reviews.getName()).isEqualTo("reviews.default-9080");
    assertThat(reviews.getIp()).isEqualTo("10.96.36.43");
    assertThat(reviews.getBackendsList()).isEmpty();
    assertThat(reviews.getSubsetsList()).containsExactly(
        Subset.newBuilder().setName("v1").setWeight(80).setLbType(LbType.ROUND_ROBIN).addBackends(backend("10.244.0.195", 1)).build(),
        Subset.newBuilder().setName("v2").setWeight(20).setLbType(LbType.RANDOM).addBackends(backend("10.244.0.193", 1)).build());
    assertThat(t.notes()).contains("1 subset cluster(s) that no catch-all route of their host selects: unused: " + V3);
  }

  @Test
  void translate_routeToOneSubset_becomesOneSubsetOfWeight100() throws Exception {
    // virtual-service-all-v1.yaml
    XdsSnapshot s = bookinfoReviews().routes(routes("9080", vhost(HOST + ":9080", DOMAINS, toCluster(prefix("/"), V1)))).build();

    VService reviews = Translator.translate(s).vservices().getFirst();

    assertThat(reviews.getSubsetsList()).singleElement().satisfies(sub -> {
      assertThat(sub.getName()).isEqualTo("v1");
      assertThat(sub.getWeight()).isEqualTo(100);
      assertThat(sub.getBackendsList()).containsExactly(backend("10.244.0.195", 1));
    });
  }

  @Test
  void translate_routeToDefaultCluster_givesPlainBackends() throws Exception {
    XdsSnapshot s = bookinfoReviews().routes(routes("9080", vhost(HOST + ":9080", DOMAINS, toCluster(prefix("/"), REVIEWS)))).build();

    VService reviews = Translator.translate(s).vservices().getFirst();

    assertThat(reviews.getSubsetsList()).isEmpty();
    assertThat(reviews.getBackendsList()).containsExactly(backend("10.244.0.195", 1), backend("10.244.0.193", 1), backend("10.244.0.192", 1));
    assertThat(reviews.getHostnamesList()).containsExactly(HOST);
  }

  @Test
  void translate_headerMatchRoutes_areReportedOnceAndTheCatchAllDecides() throws Exception {
    // virtual-service-reviews-jason-v2-v3.yaml: end-user=jason -> v2, everything else -> v3
    Route jason = toCluster(RouteMatch.newBuilder().setPrefix("/")
        .addHeaders(HeaderMatcher.newBuilder().setName("end-user").setStringMatch(StringMatcher.newBuilder().setExact("jason"))).build(), V2);
    Route jason2 = toCluster(RouteMatch.newBuilder().setPath("/login")
        .addHeaders(HeaderMatcher.newBuilder().setName("end-user").setStringMatch(StringMatcher.newBuilder().setExact("jason"))).build(), V2);
    XdsSnapshot s = bookinfoReviews().routes(routes("9080", vhost(HOST + ":9080", DOMAINS, jason, jason2, toCluster(prefix("/"), V3)))).build();

    Translation t = Translator.translate(s);

    assertThat(t.vservices().getFirst().getSubsetsList()).extracting(Subset::getName, Subset::getWeight).containsExactly(org.assertj.core.groups.Tuple.tuple("v3", 100));
    assertThat(t.notes()).filteredOn(n -> n.startsWith("reviews.default-9080:")).containsExactly(
        "reviews.default-9080: ignored L7 rules (ax picks a backend once per connection, at connect()): 2 route(s) matching headers [end-user] (to " + V2
            + "); matching path /login, headers [end-user] (to " + V2 + ")");
  }

  @ParameterizedTest
  @CsvSource({"ROUND_ROBIN, ROUND_ROBIN", "RANDOM, RANDOM", "LEAST_REQUEST, LEAST_CONN", "RING_HASH, CONSISTENT_HASH", "MAGLEV, CONSISTENT_HASH"})
  void translate_lbPolicy_mapsToTheDaemonsType(Cluster.LbPolicy envoy, LbType expected) throws Exception {
    XdsSnapshot s = new SnapshotBuilder()
        .cluster(edsCluster(REVIEWS, envoy))
        .listener(tcpListener("10.96.36.43", 9080, REVIEWS))
        .build();

    assertThat(Translator.translate(s).vservices()).singleElement().extracting(VService::getLbType).isEqualTo(expected);
  }

  @Test
  void translate_originalDstCluster_makesNoVserviceAndSaysSo() throws Exception {
    String egress = "outbound|443||api.example.com";
    XdsSnapshot s = new SnapshotBuilder()
        .cluster(Cluster.newBuilder().setName(egress).setType(Cluster.DiscoveryType.ORIGINAL_DST).setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).build())
        .cluster(Cluster.newBuilder().setName("PassthroughCluster").setType(Cluster.DiscoveryType.ORIGINAL_DST).setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).build())
        .listener(tcpListener("10.96.99.1", 443, egress))
        .build();

    Translation t = Translator.translate(s);

    assertThat(t.vservices()).isEmpty();
    assertThat(t.notes()).containsExactly(
        "PassthroughCluster is ORIGINAL_DST (passthrough): no vservice; those connections go direct",
        egress + " is ORIGINAL_DST (passthrough): no vservice; those connections go direct");
  }

  @Test
  void translate_endpoints_keepsUsableIpv4WithWeightsAndReportsTheRest() throws Exception {
    XdsSnapshot s = new SnapshotBuilder()
        .cluster(edsCluster(REVIEWS, Cluster.LbPolicy.ROUND_ROBIN))
        .endpoints(assignment(REVIEWS,
            endpoint("10.0.0.1", 9080, HealthStatus.HEALTHY, 3),
            endpoint("10.0.0.2", 9080, HealthStatus.UNKNOWN, 0),
            endpoint("10.0.0.3", 9080, HealthStatus.UNHEALTHY, 0),
            endpoint("10.0.0.4", 9080, HealthStatus.DRAINING, 0),
            endpoint("fd00::5", 9080, HealthStatus.HEALTHY, 0),
            endpoint("10.0.0.6", 19080, HealthStatus.DEGRADED, 0)))
        .listener(tcpListener("10.96.36.43", 9080, REVIEWS))
        .build();

    Translation t = Translator.translate(s);

    assertThat(t.vservices().getFirst().getBackendsList()).containsExactly(backend("10.0.0.1", 3), backend("10.0.0.2", 1));
    assertThat(t.notes()).containsExactly(
        "reviews.default-9080: left out 1 endpoint(s) of " + REVIEWS + " that are not IPv4 addresses (ax backends are): [fd00::5]:9080");
  }

  @Test
  void translate_clusterWithoutVip_makesNoVserviceAndSaysSo() throws Exception {
    XdsSnapshot s = new SnapshotBuilder().cluster(edsCluster(REVIEWS, Cluster.LbPolicy.ROUND_ROBIN)).build();

    Translation t = Translator.translate(s);

    assertThat(t.vservices()).isEmpty();
    assertThat(t.notes()).containsExactly(REVIEWS + " has no vIP (no VIP_PORT listener, no IP domain in RDS), so no vservice");
  }

  @Test
  void translate_vipOnlyInDomainsWithPort_isTaken() throws Exception {
    XdsSnapshot s = new SnapshotBuilder()
        .cluster(edsCluster(REVIEWS, Cluster.LbPolicy.ROUND_ROBIN))
        .routes(routes("9080", vhost(HOST + ":9080", List.of("reviews", "10.96.36.43:9080", "10.1.1.1:8080"), toCluster(prefix("/"), REVIEWS))))
        .build();

    assertThat(Translator.translate(s).vservices()).singleElement().extracting(VService::getIp).isEqualTo("10.96.36.43");
  }

  @Test
  void translate_sameSnapshotInAnyMapOrder_givesTheSameResult() throws Exception {
    XdsSnapshot s = bookinfoReviews()
        .cluster(edsCluster("outbound|9080||ratings.default.svc.cluster.local", Cluster.LbPolicy.RANDOM))
        .listener(tcpListener("10.96.135.117", 9080, "outbound|9080||ratings.default.svc.cluster.local"))
        .routes(routes("9080", vhost(HOST + ":9080", DOMAINS, weighted(prefix("/"), V1, 50, V3, 50))))
        .build();
    XdsSnapshot reordered = new XdsSnapshot(new TreeMap<>(s.clusters()).reversed(), new TreeMap<>(s.endpoints()).reversed(),
        new TreeMap<>(s.listeners()).reversed(), new TreeMap<>(s.routes()).reversed());

    Translation a = Translator.translate(s);
    Translation b = Translator.translate(reordered);

    assertThat(b).isEqualTo(a);
    assertThat(a.vservices()).extracting(VService::getName).containsExactly("ratings.default-9080", "reviews.default-9080");
  }

  @Test
  void translate_tcpServiceWithWeightedTcpProxy_becomesSubsets() throws Exception {
    // a VirtualService with tcp weights: istiod puts the split in the VIP listener's tcp_proxy
    String db = "mysql.default.svc.cluster.local";
    io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy tcp = io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.newBuilder()
        .setStatPrefix("mysql")
        .setWeightedClusters(io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.newBuilder()
            .addClusters(io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.ClusterWeight.newBuilder().setName("outbound|3306|v1|" + db).setWeight(90))
            .addClusters(io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.ClusterWeight.newBuilder().setName("outbound|3306|v2|" + db).setWeight(10)))
        .build();
    io.envoyproxy.envoy.config.listener.v3.Listener listener = tcpListener("10.96.7.7", 3306, "x").toBuilder().clearFilterChains()
        .addFilterChains(io.envoyproxy.envoy.config.listener.v3.FilterChain.newBuilder().addFilters(
            io.envoyproxy.envoy.config.listener.v3.Filter.newBuilder().setName("envoy.filters.network.tcp_proxy").setTypedConfig(com.google.protobuf.Any.pack(tcp))))
        .build();
    XdsSnapshot s = new SnapshotBuilder()
        .cluster(edsCluster("outbound|3306||" + db, Cluster.LbPolicy.ROUND_ROBIN))
        .cluster(edsCluster("outbound|3306|v1|" + db, Cluster.LbPolicy.ROUND_ROBIN))
        .cluster(edsCluster("outbound|3306|v2|" + db, Cluster.LbPolicy.LEAST_REQUEST))
        .listener(listener)
        .build();

    VService mysql = Translator.translate(s).vservices().getFirst();

    assertThat(mysql.getName()).isEqualTo("mysql.default-3306");
    assertThat(mysql.getIp()).isEqualTo("10.96.7.7");
    assertThat(mysql.getSubsetsList()).extracting(Subset::getName, Subset::getWeight, Subset::getLbType).containsExactly(
        org.assertj.core.groups.Tuple.tuple("v1", 90, LbType.ROUND_ROBIN), org.assertj.core.groups.Tuple.tuple("v2", 10, LbType.LEAST_CONN));
  }

  @Test
  void translate_emptySnapshot_givesNothing() {
    Translation t = Translator.translate(XdsSnapshot.EMPTY);

    assertThat(t.vservices()).isEmpty();
    assertThat(t.notes()).isEmpty();
  }

  @Test
  void translate_weightToUnknownCluster_isLeftOutWithANote() throws Exception {
    XdsSnapshot s = bookinfoReviews().routes(routes("9080", vhost(HOST + ":9080", DOMAINS, weighted(prefix("/"), V1, 90, "outbound|9080|v9|" + HOST, 10)))).build();

    Translation t = Translator.translate(s);

    assertThat(t.vservices().getFirst().getSubsetsList()).extracting(Subset::getName).containsExactly("v1");
    assertThat(t.notes()).contains("reviews.default-9080: route to outbound|9080|v9|" + HOST + ", which CDS does not have, is left out");
  }

  @Test
  void translate_manyServicesWithoutVip_areSummarisedNotListedOneByOne() throws Exception {
    SnapshotBuilder b = new SnapshotBuilder();
    for (int i = 0; i < 30; i++) {
      b.cluster(edsCluster("outbound|80||svc" + i + ".default.svc.cluster.local", Cluster.LbPolicy.ROUND_ROBIN));
    }

    List<String> notes = Translator.translate(b.build()).notes();

    assertThat(notes).singleElement().asString().startsWith("30 cluster(s) have no vIP").endsWith(" and 25 more");
  }

  @Test
  void translate_staticClusterWithInlineEndpoints_usesThem() throws Exception {
    String google = "outbound|443||www.google.com";
    XdsSnapshot s = new SnapshotBuilder()
        .cluster(Cluster.newBuilder().setName(google).setType(Cluster.DiscoveryType.STATIC)
            .setLoadAssignment(assignment(google, endpoint("142.250.1.1", 443, HealthStatus.UNKNOWN, 0))).build())
        .listener(tcpListener("240.240.0.1", 443, google))
        .build();

    assertThat(Translator.translate(s).vservices()).singleElement().satisfies(v -> {
      assertThat(v.getName()).isEqualTo("www.google.com-443");
      assertThat(v.getBackendsList()).containsExactly(Backend.newBuilder().setIp("142.250.1.1").setPort(443).setWeight(1).build());
    });
  }

  private static Backend backend(String ip, int weight) {
    return Backend.newBuilder().setIp(ip).setPort(9080).setWeight(weight).build();
  }

  @Test
  void translate_subsetNamedDefault_keptApartFromTheDefaultCluster() throws Exception {
    String vDefault = "outbound|9080|default|" + HOST;
    XdsSnapshot s = bookinfoReviews()
        .cluster(edsCluster(vDefault, Cluster.LbPolicy.ROUND_ROBIN))
        .endpoints(assignment(vDefault, endpoint("10.244.0.199", 9080, HealthStatus.HEALTHY, 0)))
        .routes(routes("9080", vhost(HOST + ":9080", DOMAINS, weighted(prefix("/"), REVIEWS, 50, vDefault, 50))))
        .build();

    VService reviews = Translator.translate(s).vservices().getFirst();

    assertThat(reviews.getSubsetsList()).extracting(Subset::getName).containsExactly("default", "default-2");
    assertThat(reviews.getSubsets(1).getBackends(0).getIp()).isEqualTo("10.244.0.199");
  }

  @Test
  void translate_weightsAboveTheDaemonsLimit_scaledDownInProportionWithANote() throws Exception {
    XdsSnapshot s = bookinfoReviews()
        .routes(routes("9080", vhost(HOST + ":9080", DOMAINS, weighted(prefix("/"), V1, 2_000_000_000, V2, 1_000_000_000))))
        .build();

    Translation t = Translator.translate(s);

    assertThat(t.vservices().getFirst().getSubsetsList()).extracting(Subset::getWeight).containsExactly(1_000_000, 500_000);
    assertThat(t.notes()).anyMatch(n -> n.contains("split weights above 1000000 are scaled down"));
  }

  @Test
  void uniqueSubsetName_longName_shortenedTo63WithAHashAndNumberedWhenTaken() {
    String longName = "a-very-long-service-name-that-goes-on.some-namespace-with-a-long-name-9080-v1";

    String first = VServiceNames.uniqueSubset(longName, java.util.Set.of());
    String second = VServiceNames.uniqueSubset(longName, java.util.Set.of(first));

    assertThat(first).hasSizeLessThanOrEqualTo(63).startsWith("a-very-long-service-name").matches("[a-z0-9][a-z0-9.-]*[a-z0-9]");
    assertThat(second).hasSizeLessThanOrEqualTo(63).endsWith("-2").isNotEqualTo(first);
  }
}
