package io.ax.xds.pilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ax.xds.pilot.Fixtures;
import io.ax.xds.pilot.mesh.MeshBuilder;
import io.ax.xds.pilot.mesh.MeshOptions;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;
import org.junit.jupiter.api.Test;

class XdsGeneratorTest {
  static final String REVIEWS = "reviews.default.svc.cluster.local";

  static IstioResources generate(String... filesOrYaml) throws Exception {
    return XdsGenerator.generate(MeshBuilder.build(Fixtures.objects(filesOrYaml), MeshOptions.DEFAULTS));
  }

  static Cluster cluster(IstioResources r, String name) {
    return r.clusters().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no cluster " + name));
  }

  static ClusterLoadAssignment endpoints(IstioResources r, String name) {
    return r.endpoints().stream().filter(c -> c.getClusterName().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no CLA " + name));
  }

  static VirtualHost vhost(IstioResources r, String route, String name) {
    RouteConfiguration rc = r.routes().stream().filter(x -> x.getName().equals(route)).findFirst().orElseThrow();
    return rc.getVirtualHostsList().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no vhost " + name));
  }

  static List<String> addresses(ClusterLoadAssignment cla) {
    return cla.getEndpointsList().stream().flatMap(l -> l.getLbEndpointsList().stream())
        .map(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress() + ":" + e.getEndpoint().getAddress().getSocketAddress().getPortValue())
        .toList();
  }

  @Test
  void generate_bookinfoWithWorkloads_istioNamesAndEndpoints() throws Exception {
    IstioResources r = generate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS);

    assertThat(r.clusters()).extracting(Cluster::getName).containsExactly(
        "outbound|9080||details.default.svc.cluster.local", "outbound|9080||productpage.default.svc.cluster.local",
        "outbound|9080||ratings.default.svc.cluster.local", "outbound|9080||reviews.default.svc.cluster.local");
    Cluster reviews = cluster(r, "outbound|9080||" + REVIEWS);
    assertThat(reviews.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
    assertThat(reviews.getEdsClusterConfig().getServiceName()).isEqualTo("outbound|9080||" + REVIEWS);
    assertThat(reviews.getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
    assertThat(reviews.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    ClusterLoadAssignment cla = endpoints(r, "outbound|9080||" + REVIEWS);
    assertThat(addresses(cla)).containsExactly("10.244.0.12:9080", "10.244.0.13:9080", "10.244.0.14:9080");
    assertThat(cla.getEndpoints(0).getLbEndpointsList()).extracting(LbEndpoint::getHealthStatus).containsOnly(HealthStatus.HEALTHY);
    ClusterLoadAssignment productpage = endpoints(r, "outbound|9080||productpage.default.svc.cluster.local");
    assertThat(productpage.getEndpoints(0).getLocality().getRegion()).isEqualTo("us-east1");
    assertThat(productpage.getEndpoints(0).getLocality().getZone()).isEqualTo("b");
    assertThat(productpage.getEndpoints(0).getLbEndpoints(0).getLoadBalancingWeight().getValue()).isEqualTo(2);
    assertThat(r.summary()).isEqualTo("4 services, 4 clusters, 1 listener, 1 route");
  }

  @Test
  void generate_bookinfo_httpListenerOnRdsAndVirtualHostDomains() throws Exception {
    IstioResources r = generate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS);

    Listener l = r.listeners().getFirst();
    assertThat(l.getName()).isEqualTo("0.0.0.0_9080");
    assertThat(l.getAddress().getSocketAddress().getPortValue()).isEqualTo(9080);
    HttpConnectionManager hcm = hcm(l);
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo("9080");
    assertThat(hcm.getRds().getConfigSource().hasAds()).isTrue();
    VirtualHost vh = vhost(r, "9080", REVIEWS + ":9080");
    String vip = vh.getDomains(8);
    assertThat(vip).startsWith("240.240.");
    assertThat(vh.getDomainsList()).containsExactly(REVIEWS, REVIEWS + ":9080", "reviews", "reviews:9080", "reviews.default.svc",
        "reviews.default.svc:9080", "reviews.default", "reviews.default:9080", vip, vip + ":9080");
    Route route = vh.getRoutes(0);
    assertThat(route.getName()).isEqualTo("default");
    assertThat(route.getMatch().getPrefix()).isEqualTo("/");
    assertThat(route.getRoute().getCluster()).isEqualTo("outbound|9080||" + REVIEWS);
    // the vIP is derived from the host: the same on every build
    assertThat(vhost(generate(Fixtures.BOOKINFO), "9080", REVIEWS + ":9080").getDomains(8)).isEqualTo(vip);
  }

  @Test
  void generate_destinationRuleAll_subsetClustersOverMatchingEndpoints() throws Exception {
    IstioResources r = generate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, Fixtures.DR_ALL);

    assertThat(r.clusters()).hasSize(4 + 1 + 3 + 4 + 2);
    assertThat(r.clusters()).extracting(Cluster::getName).contains(
        "outbound|9080|v1|" + REVIEWS, "outbound|9080|v2|" + REVIEWS, "outbound|9080|v3|" + REVIEWS,
        "outbound|9080|v2-mysql-vm|ratings.default.svc.cluster.local");
    assertThat(addresses(endpoints(r, "outbound|9080|v2|" + REVIEWS))).containsExactly("10.244.0.13:9080");
    assertThat(addresses(endpoints(r, "outbound|9080|v2-mysql|ratings.default.svc.cluster.local"))).isEmpty();
    assertThat(r.endpoints()).hasSameSizeAs(r.clusters());
  }

  @Test
  void generate_destinationRuleReviews_reviewsClustersRandom() throws Exception {
    IstioResources r = generate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, Fixtures.DR_REVIEWS);

    assertThat(cluster(r, "outbound|9080||" + REVIEWS).getLbPolicy()).isEqualTo(Cluster.LbPolicy.RANDOM);
    assertThat(cluster(r, "outbound|9080|v3|" + REVIEWS).getLbPolicy()).isEqualTo(Cluster.LbPolicy.RANDOM);
    assertThat(cluster(r, "outbound|9080||details.default.svc.cluster.local").getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
  }

  @Test
  void generate_legacyDestinationPolicy_reviewsRandom() throws Exception {
    IstioResources r = generate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, Fixtures.POLICY_REVIEWS);

    assertThat(cluster(r, "outbound|9080||" + REVIEWS).getLbPolicy()).isEqualTo(Cluster.LbPolicy.RANDOM);
    assertThat(cluster(r, "outbound|9080||ratings.default.svc.cluster.local").getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
  }

  @Test
  void generate_gatewayApiRoute9010_weightedClustersOfTheVersionServices() throws Exception {
    IstioResources r = generate(Fixtures.BOOKINFO, "samples/bookinfo/platform/kube/bookinfo-versions.yaml",
        "samples/bookinfo/gateway-api/route-reviews-90-10.yaml", Fixtures.BOOKINFO_WORKLOADS);

    Route route = vhost(r, "9080", REVIEWS + ":9080").getRoutes(0);
    assertThat(route.getMatch().getPrefix()).isEqualTo("/");
    assertThat(route.getMatch().getHeadersList()).isEmpty();
    assertThat(route.getRoute().getWeightedClusters().getClustersList())
        .extracting(WeightedCluster.ClusterWeight::getName, c -> c.getWeight().getValue())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("outbound|9080||reviews-v1.default.svc.cluster.local", 90),
            org.assertj.core.groups.Tuple.tuple("outbound|9080||reviews-v2.default.svc.cluster.local", 10));
    assertThat(addresses(endpoints(r, "outbound|9080||reviews-v1.default.svc.cluster.local"))).containsExactly("10.244.0.12:9080");
  }

  @Test
  void generate_virtualService8020_weightedClustersOfSubsets() throws Exception {
    IstioResources r = generate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, Fixtures.DR_ALL, Fixtures.VS_80_20);

    VirtualHost vh = vhost(r, "9080", REVIEWS + ":9080");
    assertThat(vh.getRoutesList()).hasSize(1);
    Route route = vh.getRoutes(0);
    assertThat(route.getMatch().getPrefix()).isEqualTo("/");
    assertThat(route.getRoute().getWeightedClusters().getClustersList())
        .extracting(WeightedCluster.ClusterWeight::getName, c -> c.getWeight().getValue())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("outbound|9080|v1|" + REVIEWS, 80), org.assertj.core.groups.Tuple.tuple("outbound|9080|v2|" + REVIEWS, 20));
    // other hosts keep their default route
    assertThat(vhost(r, "9080", "ratings.default.svc.cluster.local:9080").getRoutes(0).getRoute().getCluster())
        .isEqualTo("outbound|9080||ratings.default.svc.cluster.local");
  }

  @Test
  void generate_virtualServiceJason_headerMatchKeptThenDefault() throws Exception {
    IstioResources r = generate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, Fixtures.DR_ALL, Fixtures.VS_JASON);

    List<Route> routes = vhost(r, "9080", REVIEWS + ":9080").getRoutesList();
    assertThat(routes).hasSize(2);
    assertThat(routes.get(0).getMatch().getHeaders(0).getName()).isEqualTo("end-user");
    assertThat(routes.get(0).getMatch().getHeaders(0).getStringMatch().getExact()).isEqualTo("jason");
    assertThat(routes.get(0).getRoute().getCluster()).isEqualTo("outbound|9080|v2|" + REVIEWS);
    assertThat(routes.get(1).getMatch().getHeadersList()).isEmpty();
    assertThat(routes.get(1).getRoute().getCluster()).isEqualTo("outbound|9080|v3|" + REVIEWS);
  }

  @Test
  void generate_subsetWithoutDestinationRule_destinationLeftOutWithNote() throws Exception {
    IstioResources r = generate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, Fixtures.VS_80_20);

    assertThat(vhost(r, "9080", REVIEWS + ":9080").getRoutes(0).getRoute().getCluster()).isEqualTo("outbound|9080||" + REVIEWS);
    assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("subset v1 of " + REVIEWS + " is in no DestinationRule"));
  }

  @Test
  void generate_istioTestdataServiceEntry_staticEndpointsAndRingHashSubset() throws Exception {
    IstioResources r = generate(Fixtures.TESTDATA_DR_ALL);
    String host = "destall.default.svc.cluster.local";

    assertThat(r.clusters()).extracting(Cluster::getName)
        .containsExactlyInAnyOrder("outbound|81||" + host, "outbound|81|v1|" + host, "outbound|81|v2|" + host);
    assertThat(addresses(endpoints(r, "outbound|81||" + host))).containsExactly("127.0.0.2:7072");
    assertThat(cluster(r, "outbound|81|v1|" + host).getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    Cluster v2 = cluster(r, "outbound|81|v2|" + host);
    assertThat(v2.getLbPolicy()).isEqualTo(Cluster.LbPolicy.RING_HASH);
    assertThat(v2.getRingHashLbConfig().getMinimumRingSize().getValue()).isEqualTo(42);
    assertThat(r.listeners()).extracting(Listener::getName).containsExactly("0.0.0.0_81");
  }

  @Test
  void generate_tcpServiceWithClusterIp_vipListenerWithTcpProxy() throws Exception {
    IstioResources r = generate("""
        apiVersion: v1
        kind: Service
        metadata: {name: mongo, namespace: db}
        spec:
          clusterIP: 10.96.0.20
          selector: {app: mongo}
          ports:
          - {name: tcp-mongo, port: 27017, targetPort: 27018}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: m1, namespace: db}
        spec: {address: 10.1.0.1, labels: {app: mongo}}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: other-namespace, namespace: default}
        spec: {address: 10.1.0.2, labels: {app: mongo}}
        """);

    assertThat(r.listeners()).extracting(Listener::getName).containsExactly("10.96.0.20_27017");
    TcpProxy proxy = r.listeners().getFirst().getFilterChains(0).getFilters(0).getTypedConfig().unpack(TcpProxy.class);
    assertThat(proxy.getCluster()).isEqualTo("outbound|27017||mongo.db.svc.cluster.local");
    assertThat(addresses(endpoints(r, "outbound|27017||mongo.db.svc.cluster.local"))).containsExactly("10.1.0.1:27018");
    assertThat(r.routes()).isEmpty();
  }

  @Test
  void generate_passthroughAndPolicies_clusterTypesAndLbPolicies() throws Exception {
    IstioResources r = generate("""
        apiVersion: v1
        kind: Service
        metadata: {name: a}
        spec: {ports: [{name: http, port: 80}]}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: a}
        spec:
          host: a
          trafficPolicy:
            loadBalancer: {simple: LEAST_CONN}
            portLevelSettings: []
          subsets:
          - {name: direct, labels: {v: "1"}, trafficPolicy: {loadBalancer: {simple: PASSTHROUGH}}}
          - {name: maglev, labels: {v: "2"}, trafficPolicy: {loadBalancer: {consistentHash: {maglev: {tableSize: 65537}}}}}
        """);

    assertThat(cluster(r, "outbound|80||a.default.svc.cluster.local").getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    Cluster direct = cluster(r, "outbound|80|direct|a.default.svc.cluster.local");
    assertThat(direct.getType()).isEqualTo(Cluster.DiscoveryType.ORIGINAL_DST);
    assertThat(direct.getLbPolicy()).isEqualTo(Cluster.LbPolicy.CLUSTER_PROVIDED);
    assertThat(cluster(r, "outbound|80|maglev|a.default.svc.cluster.local").getLbPolicy()).isEqualTo(Cluster.LbPolicy.MAGLEV);
    assertThat(r.endpoints()).extracting(ClusterLoadAssignment::getClusterName).doesNotContain(direct.getName());
  }

  @Test
  void generate_sameConfigTwice_equalResources() throws Exception {
    assertThat(generate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, Fixtures.DR_ALL, Fixtures.VS_80_20))
        .isEqualTo(generate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, Fixtures.DR_ALL, Fixtures.VS_80_20));
  }

  static HttpConnectionManager hcm(Listener l) throws InvalidProtocolBufferException {
    return l.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
  }
}
