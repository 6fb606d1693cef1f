package io.ax.bench.translate;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.Value;
import io.ax.xds.resource.ResourceType;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The xDS resources istiod would send a sidecar in a mesh of {@code services} Kubernetes Services
 * with {@link #ENDPOINTS} pods each, shaped after the real dumps in {@code istio-samples/fixtures}
 * and pilot-lite's generators. Deterministic, so every run translates the same input.
 *
 * <ul>
 *   <li>Service {@code i} is {@code svc-i.bench.svc.cluster.local} on port {@value #PORT}, vIP
 *       {@link #vip}. Its EDS cluster {@code outbound|9080||HOST} (istiod's connect timeout,
 *       circuit breakers, {@code istio} metadata and the {@code tlsMode-istio} transport socket
 *       match) balances by {@code i % 5}: ROUND_ROBIN (left out, enum 0), RANDOM, LEAST_REQUEST,
 *       RING_HASH, MAGLEV.
 *   <li>Its ClusterLoadAssignment holds {@link #ENDPOINTS} HEALTHY endpoints {@code 10.128+.x.y:8080}
 *       in two zones, with istiod's workload and tlsMode metadata; versions v1 (first half) and v2.
 *   <li>Every tenth service ({@code i % 10 == 9}) is TCP: a {@code VIP_9080} listener with a
 *       tcp_proxy. The others are HTTP: a virtual host {@code HOST:9080} in route configuration
 *       {@code 9080} (served by listener {@code 0.0.0.0_9080}) with istiod's domains, vIP included.
 *   <li>Every twentieth HTTP service ({@code i % 20 == 3}) has a DestinationRule with subsets v1
 *       and v2 and a VirtualService splitting 80/20, as bookinfo's reviews: clusters
 *       {@code outbound|9080|v1|HOST} and {@code ..v2..} with their own assignments, and a
 *       {@code weighted_clusters} catch-all route.
 * </ul>
 *
 * Translated, every service is one vservice with {@link #ENDPOINTS} backends in all (split ones
 * over their two subsets). Pure; the lists are immutable.
 */
public record IstioMesh(List<Cluster> clusters, List<ClusterLoadAssignment> endpoints, List<Listener> listeners, List<RouteConfiguration> routes) {
  public static final int PORT = 9080;
  public static final int TARGET_PORT = 8080;
  public static final int ENDPOINTS = 10;
  public static final String NAMESPACE = "bench";
  /** vIPs are 10.96.0.1 on, 250 a /24; endpoint addresses 10.128.0.0 on. */
  public static final int MAX_SERVICES = 250 * 256;

  private static final String HCM = "envoy.filters.network.http_connection_manager";
  private static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
  private static final ConfigSource ADS = ConfigSource.newBuilder()
      .setAds(AggregatedConfigSource.getDefaultInstance())
      .setResourceApiVersion(ApiVersion.V3)
      .build();
  private static final Cluster.LbPolicy[] POLICIES = {
    Cluster.LbPolicy.ROUND_ROBIN, Cluster.LbPolicy.RANDOM, Cluster.LbPolicy.LEAST_REQUEST, Cluster.LbPolicy.RING_HASH, Cluster.LbPolicy.MAGLEV};

  public IstioMesh {
    clusters = List.copyOf(clusters);
    endpoints = List.copyOf(endpoints);
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
  }

  /** @throws IllegalArgumentException when {@code services} is not in 1..{@value #MAX_SERVICES} */
  public static IstioMesh generate(int services) {
    if (services < 1 || services > MAX_SERVICES) {
      throw new IllegalArgumentException("services: " + services + " is not in 1.." + MAX_SERVICES);
    }
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    List<Listener> listeners = new ArrayList<>();
    List<VirtualHost> vhosts = new ArrayList<>();
    for (int i = 0; i < services; i++) {
      String host = host(i);
      Cluster.LbPolicy lb = POLICIES[i % POLICIES.length];
      String main = outbound("", host);
      clusters.add(cluster(main, host, lb));
      endpoints.add(assignment(main, i, 0, ENDPOINTS));
      if (isTcp(i)) {
        listeners.add(tcpListener(vip(i), main));
        continue;
      }
      VirtualHost.Builder vh = VirtualHost.newBuilder().setName(host + ":" + PORT).addAllDomains(domains(i));
      if (isSplit(i)) {
        String v1 = outbound("v1", host);
        String v2 = outbound("v2", host);
        clusters.add(cluster(v1, host, lb));
        clusters.add(cluster(v2, host, lb));
        endpoints.add(assignment(v1, i, 0, ENDPOINTS / 2));
        endpoints.add(assignment(v2, i, ENDPOINTS / 2, ENDPOINTS));
        vh.addRoutes(Route.newBuilder().setName("reviews-split").setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRoute(RouteAction.newBuilder().setTimeout(Duration.getDefaultInstance()).setWeightedClusters(WeightedCluster.newBuilder()
                .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName(v1).setWeight(UInt32Value.of(80)))
                .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName(v2).setWeight(UInt32Value.of(20))))));
      } else {
        vh.addRoutes(Route.newBuilder().setName("default").setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRoute(RouteAction.newBuilder().setCluster(main).setTimeout(Duration.getDefaultInstance())));
      }
      vhosts.add(vh.build());
    }
    List<RouteConfiguration> routes = List.of();
    if (!vhosts.isEmpty()) {
      listeners.add(httpListener());
      routes = List.of(RouteConfiguration.newBuilder().setName(Integer.toString(PORT)).setValidateClusters(BoolValue.of(false)).addAllVirtualHosts(vhosts).build());
    }
    return new IstioMesh(clusters, endpoints, listeners, routes);
  }

  /** The resources as a discovery response carries them: packed in {@link Any}, by type. */
  public Map<ResourceType, List<Any>> packed() {
    Map<ResourceType, List<Any>> out = new EnumMap<>(ResourceType.class);
    out.put(ResourceType.CLUSTER, pack(clusters));
    out.put(ResourceType.ENDPOINT, pack(endpoints));
    out.put(ResourceType.LISTENER, pack(listeners));
    out.put(ResourceType.ROUTE, pack(routes));
    return out;
  }

  public static String host(int i) {
    return "svc-" + i + "." + NAMESPACE + ".svc.cluster.local";
  }

  public static String vip(int i) {
    return "10.96." + i / 250 + "." + (i % 250 + 1);
  }

  public static boolean isTcp(int i) {
    return i % 10 == 9;
  }

  public static boolean isSplit(int i) {
    return i % 20 == 3;
  }

  private static List<Any> pack(List<? extends Message> messages) {
    List<Any> out = new ArrayList<>(messages.size());
    messages.forEach(m -> out.add(Any.pack(m)));
    return List.copyOf(out);
  }

  private static String outbound(String subset, String host) {
    return "outbound|" + PORT + "|" + subset + "|" + host;
  }

  /** istiod's domains for a proxy in another namespace: the host, its short forms and the vIP, each bare and with the port. */
  private static List<String> domains(int i) {
    List<String> out = new ArrayList<>(8);
    for (String d : List.of(host(i), "svc-" + i + "." + NAMESPACE + ".svc", "svc-" + i + "." + NAMESPACE, vip(i))) {
      out.add(d);
      out.add(d + ":" + PORT);
    }
    return out;
  }

  private static Cluster cluster(String name, String host, Cluster.LbPolicy lb) {
    Cluster.Builder c = Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS).setServiceName(name))
        .setConnectTimeout(Duration.newBuilder().setSeconds(10))
        .setLbPolicy(lb)
        .setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
            .setMaxConnections(UInt32Value.of(Integer.MAX_VALUE)).setMaxPendingRequests(UInt32Value.of(Integer.MAX_VALUE))
            .setMaxRequests(UInt32Value.of(Integer.MAX_VALUE)).setMaxRetries(UInt32Value.of(Integer.MAX_VALUE))))
        .setMetadata(Metadata.newBuilder().putFilterMetadata("istio", Struct.newBuilder()
            .putFields("default_original_port", Value.newBuilder().setNumberValue(PORT).build())
            .putFields("services", Value.newBuilder().setListValue(ListValue.newBuilder().addValues(Value.newBuilder().setStructValue(Struct.newBuilder()
                .putFields("host", str(host))
                .putFields("name", str(host.substring(0, host.indexOf('.'))))
                .putFields("namespace", str(NAMESPACE))))).build())
            .build()))
        .addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder()
            .setName("tlsMode-istio")
            .setMatch(Struct.newBuilder().putFields("tlsMode", str("istio")))
            .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(UpstreamTlsContext.newBuilder()
                .setSni("outbound_." + PORT + "_._." + host)
                .setCommonTlsContext(CommonTlsContext.newBuilder().addAlpnProtocols("istio-peer-exchange").addAlpnProtocols("istio"))
                .build()))));
    if (lb == Cluster.LbPolicy.RING_HASH) {
      c.setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(1024)));
    }
    return c.build();
  }

  /** Endpoints {@code from..to-1} of service {@code i}, grouped by zone as istiod does. */
  private static ClusterLoadAssignment assignment(String name, int i, int from, int to) {
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(name);
    for (String zone : List.of("us-east1-b", "us-east1-c")) {
      LocalityLbEndpoints.Builder l = LocalityLbEndpoints.newBuilder().setLocality(Locality.newBuilder().setRegion("us-east1").setZone(zone));
      for (int k = from; k < to; k++) {
        if ((k % 2 == 0) != zone.endsWith("b")) {
          continue;
        }
        int n = i * ENDPOINTS + k;
        String version = k < ENDPOINTS / 2 ? "v1" : "v2";
        l.addLbEndpoints(LbEndpoint.newBuilder()
            .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
                .setAddress("10." + (128 + n / 65536) + "." + n / 256 % 256 + "." + n % 256).setPortValue(TARGET_PORT))))
            .setHealthStatus(HealthStatus.HEALTHY)
            .setLoadBalancingWeight(UInt32Value.of(1))
            .setMetadata(Metadata.newBuilder()
                .putFilterMetadata("envoy.transport_socket_match", Struct.newBuilder().putFields("tlsMode", str("istio")).build())
                .putFilterMetadata("istio", Struct.newBuilder()
                    .putFields("workload", str("svc-" + i + "-" + version + ";" + NAMESPACE + ";svc-" + i + ";" + version + ";Kubernetes")).build())));
      }
      if (l.getLbEndpointsCount() > 0) {
        cla.addEndpoints(l.setLoadBalancingWeight(UInt32Value.of(l.getLbEndpointsCount())));
      }
    }
    return cla.build();
  }

  private static Listener httpListener() {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix("outbound_0.0.0.0_" + PORT)
        .setRds(Rds.newBuilder().setConfigSource(ADS).setRouteConfigName(Integer.toString(PORT)))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router").setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    return listener("0.0.0.0_" + PORT, "0.0.0.0", Filter.newBuilder().setName(HCM).setTypedConfig(Any.pack(hcm)).build());
  }

  private static Listener tcpListener(String vip, String cluster) {
    TcpProxy proxy = TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build();
    return listener(vip + "_" + PORT, vip, Filter.newBuilder().setName(TCP_PROXY).setTypedConfig(Any.pack(proxy)).build());
  }

  private static Listener listener(String name, String ip, Filter filter) {
    return Listener.newBuilder()
        .setName(name)
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(PORT)))
        .addFilterChains(FilterChain.newBuilder().addFilters(filter))
        .setBindToPort(BoolValue.of(false))
        .setTrafficDirection(TrafficDirection.OUTBOUND)
        .build();
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
