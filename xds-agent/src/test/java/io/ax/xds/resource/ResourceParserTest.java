package io.ax.xds.resource;

import static io.ax.xds.resource.EnvoyProtos.ADS;
import static io.ax.xds.resource.EnvoyProtos.assignment;
import static io.ax.xds.resource.EnvoyProtos.edsCluster;
import static io.ax.xds.resource.EnvoyProtos.endpoint;
import static io.ax.xds.resource.EnvoyProtos.httpListener;
import static io.ax.xds.resource.EnvoyProtos.prefix;
import static io.ax.xds.resource.EnvoyProtos.routes;
import static io.ax.xds.resource.EnvoyProtos.socket;
import static io.ax.xds.resource.EnvoyProtos.tcpListener;
import static io.ax.xds.resource.EnvoyProtos.toCluster;
import static io.ax.xds.resource.EnvoyProtos.vhost;
import static io.ax.xds.resource.EnvoyProtos.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResourceParserTest {
  private static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";

  @Test
  void parse_istioEdsCluster_keepsNamePartsLbPolicyAndEdsServiceName() throws Exception {
    XdsResource r = ResourceParser.parse(ResourceType.CLUSTER, Any.pack(edsCluster("outbound|9080|v1|reviews.default.svc.cluster.local", Cluster.LbPolicy.LEAST_REQUEST)));

    assertThat(r).isInstanceOfSatisfying(ClusterResource.class, c -> {
      assertThat(c.name()).isEqualTo("outbound|9080|v1|reviews.default.svc.cluster.local");
      assertThat(c.type()).isEqualTo(ResourceType.CLUSTER);
      assertThat(c.discoveryType()).isEqualTo(DiscoveryType.EDS);
      assertThat(c.edsServiceName()).contains("outbound|9080|v1|reviews.default.svc.cluster.local");
      assertThat(c.lbPolicy()).isEqualTo(LbPolicy.LEAST_REQUEST);
      assertThat(c.istioName()).contains(new IstioClusterName(IstioClusterName.Direction.OUTBOUND, 9080, "v1", "reviews.default.svc.cluster.local"));
    });
  }

  @Test
  void parse_edsClusterWithoutServiceName_subscribesToTheClusterName() throws Exception {
    Cluster c = edsCluster(REVIEWS, Cluster.LbPolicy.ROUND_ROBIN).toBuilder()
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS)).build();

    assertThat(ResourceParser.parseCluster(c).edsServiceName()).contains(REVIEWS);
  }

  @Test
  void parse_staticClusterWithInlineEndpoints_keepsThemAndHasNoEdsName() throws Exception {
    Cluster c = Cluster.newBuilder().setName("outbound|443||www.google.com").setType(Cluster.DiscoveryType.STRICT_DNS)
        .setLoadAssignment(assignment("outbound|443||www.google.com", endpoint("www.google.com", 443, HealthStatus.UNKNOWN, 0))).build();

    ClusterResource r = ResourceParser.parseCluster(c);

    assertThat(r.edsServiceName()).isEmpty();
    assertThat(r.discoveryType()).isEqualTo(DiscoveryType.STRICT_DNS);
    assertThat(r.inlineEndpoints()).extracting(LbEndpoint::address).containsExactly(new XdsAddress.Hostname("www.google.com", 443));
  }

  @Test
  void parse_loadBalancingPolicyConfig_takesTheFirstKnownPolicy() throws Exception {
    Cluster c = edsCluster(REVIEWS, Cluster.LbPolicy.LOAD_BALANCING_POLICY_CONFIG).toBuilder()
        .setLoadBalancingPolicy(io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy.newBuilder()
            .addPolicies(policy(Any.newBuilder().setTypeUrl("type.googleapis.com/example.Custom").build()))
            .addPolicies(policy(Any.pack(LeastRequest.getDefaultInstance()))))
        .build();

    assertThat(ResourceParser.parseCluster(c).lbPolicy()).isEqualTo(LbPolicy.LEAST_REQUEST);
  }

  @Test
  void parse_endpoints_flattensGroupsWithWeightHealthAndAddressKinds() throws Exception {
    ClusterLoadAssignment cla = assignment(REVIEWS,
        endpoint("10.244.0.192", 9080, HealthStatus.HEALTHY, 0),
        endpoint("10.244.0.193", 9080, HealthStatus.UNHEALTHY, 3),
        endpoint("fd00::1", 9080, HealthStatus.UNKNOWN, 0));

    XdsResource r = ResourceParser.parse(ResourceType.ENDPOINT, Any.pack(cla));

    assertThat(r).isInstanceOfSatisfying(EndpointResource.class, e -> {
      assertThat(e.name()).isEqualTo(REVIEWS);
      assertThat(e.endpoints()).containsExactly(
          new LbEndpoint(new XdsAddress.Ipv4("10.244.0.192", 9080), Health.HEALTHY, 1, Locality.NONE, 0),
          new LbEndpoint(new XdsAddress.Ipv4("10.244.0.193", 9080), Health.UNHEALTHY, 3, Locality.NONE, 0),
          new LbEndpoint(new XdsAddress.Ipv6("fd00::1", 9080), Health.UNKNOWN, 1, Locality.NONE, 0));
    });
  }

  @Test
  void parse_listeners_keepRouteNamesAddressAndTcpClusters() throws Exception {
    ListenerResource http = (ListenerResource) ResourceParser.parse(ResourceType.LISTENER, Any.pack(httpListener(9080, "9080")));
    ListenerResource tcp = ResourceParser.parseListener(tcpListener("10.96.0.1", 443, "outbound|443||kubernetes.default.svc.cluster.local"));

    assertThat(http.routeNames()).containsExactly("9080");
    assertThat(http.address()).contains(new XdsAddress.Ipv4("0.0.0.0", 9080));
    assertThat(http.filterChains()).extracting(io.ax.xds.resource.FilterChain::action).containsExactly(new ChainAction.HttpRds("9080"));
    assertThat(tcp.routeNames()).isEmpty();
    assertThat(tcp.filterChains()).extracting(io.ax.xds.resource.FilterChain::action)
        .containsExactly(new ChainAction.TcpProxy(List.of(new ClusterWeight("outbound|443||kubernetes.default.svc.cluster.local", 1))));
  }

  @Test
  void parse_listenerWithInlineRoutes_parsesThemAsRoutes() throws Exception {
    RouteConfiguration inline = RouteConfiguration.newBuilder()
        .addVirtualHosts(vhost("inbound|http|9080", List.of("*"), toCluster(prefix("/"), "inbound|9080||"))).build();
    Listener l = listener("virtualInbound", HttpConnectionManager.newBuilder().setRouteConfig(inline).build());

    ListenerResource r = ResourceParser.parseListener(l);

    assertThat(r.routeNames()).isEmpty();
    assertThat(r.filterChains().getFirst().action()).isInstanceOfSatisfying(ChainAction.HttpInline.class,
        h -> assertThat(h.routeConfig().virtualHosts().getFirst().routes().getFirst().action()).isEqualTo(new RouteAction.ToCluster("inbound|9080||")));
  }

  @Test
  void parse_routes_keepsMatchesActionsAndL7Features() throws Exception {
    Route jason = toCluster(RouteMatch.newBuilder().setPrefix("/").addHeaders(HeaderMatcher.newBuilder().setName("end-user")).build(), "outbound|9080|v2|r")
        .toBuilder().setRoute(io.envoyproxy.envoy.config.route.v3.RouteAction.newBuilder().setCluster("outbound|9080|v2|r").setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("5xx"))).build();
    RouteConfiguration rc = routes("9080", vhost("r:9080", List.of("r", "10.0.0.1"), jason, weighted(prefix("/"), "outbound|9080|v1|r", 80, "outbound|9080|v2|r", 20)));

    RouteResource r = (RouteResource) ResourceParser.parse(ResourceType.ROUTE, Any.pack(rc));

    List<io.ax.xds.resource.Route> rs = r.virtualHosts().getFirst().routes();
    assertThat(rs.get(0).match().headers()).containsExactly("end-user");
    assertThat(rs.get(0).match().catchesAll()).isFalse();
    assertThat(rs.get(0).features()).containsExactly(L7Feature.RETRIES);
    assertThat(rs.get(1).match().catchesAll()).isTrue();
    assertThat(rs.get(1).action()).isEqualTo(new RouteAction.Weighted(List.of(new ClusterWeight("outbound|9080|v1|r", 80), new ClusterWeight("outbound|9080|v2|r", 20))));
  }

  @Test
  void parse_resourceWrappedInDiscoveryResource_isUnwrapped() throws Exception {
    Any wrapped = Any.pack(Resource.newBuilder().setName(REVIEWS).setResource(Any.pack(edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM))).build());

    assertThat(ResourceParser.parse(ResourceType.CLUSTER, wrapped).name()).isEqualTo(REVIEWS);
  }

  static Stream<Arguments> invalidResources() {
    Cluster eds = edsCluster(REVIEWS, Cluster.LbPolicy.ROUND_ROBIN);
    ConfigSource rest = ConfigSource.newBuilder().setApiConfigSource(ApiConfigSource.newBuilder().setApiType(ApiConfigSource.ApiType.REST)).build();
    return Stream.of(
        Arguments.of(ResourceType.CLUSTER, eds.toBuilder().setName("").build(), "CDS resource '': name is empty"),
        Arguments.of(ResourceType.CLUSTER, eds.toBuilder().setLbPolicyValue(42).build(), "CDS resource '" + REVIEWS + "': lb_policy 42 is not a known policy"),
        Arguments.of(ResourceType.CLUSTER, eds.toBuilder().setTypeValue(9).build(), "type 9 is not a known discovery type"),
        Arguments.of(ResourceType.CLUSTER, eds.toBuilder().setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(rest)).build(),
            "eds_cluster_config.eds_config must be ADS"),
        Arguments.of(ResourceType.CLUSTER, eds.toBuilder().clearEdsClusterConfig().build(), "eds_config must be ADS"),
        Arguments.of(ResourceType.CLUSTER, eds.toBuilder().setLbPolicy(Cluster.LbPolicy.LOAD_BALANCING_POLICY_CONFIG).build(), "without a load_balancing_policy"),
        Arguments.of(ResourceType.CLUSTER, Cluster.newBuilder().setName("s").setType(Cluster.DiscoveryType.STATIC)
            .setLoadAssignment(assignment("s", endpoint("10.0.0.1", 70000, HealthStatus.HEALTHY, 0))).build(),
            "CDS resource 's': load_assignment.endpoints[0].lb_endpoints[0]: port 70000 is out of range 0-65535"),
        Arguments.of(ResourceType.ENDPOINT, assignment("", endpoint("10.0.0.1", 80, HealthStatus.HEALTHY, 0)), "EDS resource '': cluster_name is empty"),
        Arguments.of(ResourceType.ENDPOINT, assignment("c", endpoint("10.0.0.1", 80, HealthStatus.HEALTHY, 0).toBuilder().setLoadBalancingWeight(UInt32Value.of(0)).build()),
            "EDS resource 'c': endpoints[0].lb_endpoints[0]: load_balancing_weight 0 (expected at least 1)"),
        Arguments.of(ResourceType.ENDPOINT, assignment("c", endpoint("10.0.0.1", 80, HealthStatus.HEALTHY, 0).toBuilder().setHealthStatusValue(17).build()),
            "health_status 17 is not a known value"),
        Arguments.of(ResourceType.ENDPOINT, assignment("c", io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint.newBuilder().setEndpoint(
            io.envoyproxy.envoy.config.endpoint.v3.Endpoint.getDefaultInstance()).build()), "address is not set"),
        Arguments.of(ResourceType.LISTENER, httpListener(80, "80").toBuilder().setName("").build(), "LDS resource '': name is empty"),
        Arguments.of(ResourceType.LISTENER, tcpListener("10.0.0.1", 80, "c").toBuilder().setAddress(socket("10.0.0.1", 65536)).build(), "address: port 65536 is out of range"),
        Arguments.of(ResourceType.LISTENER, listener("l", HttpConnectionManager.getDefaultInstance()), "http_connection_manager has no routes"),
        Arguments.of(ResourceType.LISTENER, listener("l", HttpConnectionManager.newBuilder().setRds(
            io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds.newBuilder().setConfigSource(ADS)).build()), "rds.route_config_name is empty"),
        Arguments.of(ResourceType.LISTENER, listener("l", HttpConnectionManager.newBuilder().setRds(
            io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds.newBuilder().setRouteConfigName("80").setConfigSource(rest)).build()), "rds.config_source must be ADS"),
        Arguments.of(ResourceType.LISTENER, listener("l", TcpProxy.getDefaultInstance()), "tcp_proxy names no cluster"),
        Arguments.of(ResourceType.LISTENER, listener("l", TcpProxy.newBuilder().setWeightedClusters(TcpProxy.WeightedCluster.newBuilder()
            .addClusters(TcpProxy.WeightedCluster.ClusterWeight.newBuilder().setName("a").setWeight(0))).build()), "weights sum to 0"),
        Arguments.of(ResourceType.ROUTE, routes(""), "RDS resource '': name is empty"),
        Arguments.of(ResourceType.ROUTE, routes("80", vhost("a", List.of())), "virtual host 'a': no domains"),
        Arguments.of(ResourceType.ROUTE, routes("80", vhost("a", List.of("x")), vhost("b", List.of("X"))), "domain 'X' is also in virtual host 'a'"),
        Arguments.of(ResourceType.ROUTE, routes("80", vhost("a", List.of("a"), weighted(prefix("/"), "c1", 0, "c2", 0))), "route.weighted_clusters: weights sum to 0"),
        Arguments.of(ResourceType.ROUTE, routes("80", vhost("a", List.of("a"), weighted(prefix("/"), "", 10))), "clusters[0]: name is empty"),
        Arguments.of(ResourceType.ROUTE, routes("80", vhost("a", List.of("a"), Route.newBuilder().setMatch(prefix("/")).build())), "routes[0]: no action"),
        Arguments.of(ResourceType.ROUTE, routes("80", vhost("a", List.of("a"), toCluster(RouteMatch.getDefaultInstance(), "c"))), "match has no path specifier"));
  }

  @ParameterizedTest
  @MethodSource("invalidResources")
  void parse_invalidResource_throwsNamingResourceAndRule(ResourceType type, Message resource, String expected) {
    assertThatThrownBy(() -> ResourceParser.parse(type, Any.pack(resource)))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void parse_wrongTypeUrl_isInvalidAndNamesTheResource() {
    assertThatThrownBy(() -> ResourceParser.parse(ResourceType.LISTENER, Any.pack(edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM))))
        .isInstanceOfSatisfying(InvalidResourceException.class, e -> assertThat(e.resourceName()).isEqualTo(REVIEWS))
        .hasMessageContaining("type URL 'type.googleapis.com/envoy.config.cluster.v3.Cluster' is not type.googleapis.com/envoy.config.listener.v3.Listener");
  }

  @Test
  void parse_undecodableBytes_isInvalid() {
    Any broken = Any.newBuilder().setTypeUrl(ResourceType.ROUTE.typeUrl()).setValue(ByteString.copyFrom(new byte[] {0x0a, 0x7f, 0x01})).build();

    assertThatThrownBy(() -> ResourceParser.parse(ResourceType.ROUTE, broken))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageStartingWith("RDS resource '': does not decode as type.googleapis.com/envoy.config.route.v3.RouteConfiguration");
  }

  @Test
  void parse_validButUnsupportedThings_areAccepted() throws Exception {
    // IPv6 and pipe endpoints, regex and header matches: translation reports them, they are not invalid
    ClusterLoadAssignment cla = assignment("c", endpoint("fd00::2", 80, HealthStatus.HEALTHY, 0));
    RouteConfiguration rc = routes("80", vhost("a", List.of("a"), toCluster(RouteMatch.newBuilder().setSafeRegex(
        io.envoyproxy.envoy.type.matcher.v3.RegexMatcher.newBuilder().setRegex("^/api/.*")).build(), "c")));

    assertThat(ResourceParser.parseEndpoints(cla).endpoints()).hasSize(1);
    assertThat(ResourceParser.parseRoute(rc).virtualHosts().getFirst().routes().getFirst().match().path()).isEqualTo(new PathMatch.Regex("^/api/.*"));
  }

  @Test
  void istioClusterName_parse_splitsIstioNamesOnly() {
    assertThat(IstioClusterName.parse("inbound|9080||")).contains(new IstioClusterName(IstioClusterName.Direction.INBOUND, 9080, "", ""));
    assertThat(IstioClusterName.parse("inbound-vip|8000|http|httpbin.default.svc.cluster.local")).map(IstioClusterName::direction)
        .contains(IstioClusterName.Direction.INBOUND_VIP);
    assertThat(IstioClusterName.parse("BlackHoleCluster")).isEqualTo(Optional.empty());
    assertThat(IstioClusterName.parse("outbound|99999||x")).isEmpty();
    assertThat(IstioClusterName.parse("outbound|9080||x|y")).isEmpty();
  }

  private static io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy.Policy policy(Any config) {
    return io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy.Policy.newBuilder()
        .setTypedExtensionConfig(TypedExtensionConfig.newBuilder().setName("p").setTypedConfig(config)).build();
  }

  private static Listener listener(String name, Message terminal) {
    return Listener.newBuilder().setName(name).setAddress(socket("0.0.0.0", 15006))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder().setName("terminal").setTypedConfig(Any.pack(terminal))))
        .build();
  }
}
