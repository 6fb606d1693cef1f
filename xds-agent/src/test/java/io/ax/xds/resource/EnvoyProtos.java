package io.ax.xds.resource;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
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
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;

/** Istio-shaped Envoy protos for tests, built the way istiod builds them. */
public final class EnvoyProtos {
  private EnvoyProtos() {}

  public static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

  public static Cluster edsCluster(String name, Cluster.LbPolicy lb) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS).setServiceName(name))
        .setLbPolicy(lb)
        .build();
  }

  public static Address socket(String ip, int port) {
    return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)).build();
  }

  public static LbEndpoint endpoint(String ip, int port, HealthStatus health, int weight) {
    LbEndpoint.Builder b = LbEndpoint.newBuilder()
        .setEndpoint(Endpoint.newBuilder().setAddress(socket(ip, port)))
        .setHealthStatus(health);
    if (weight > 0) {
      b.setLoadBalancingWeight(UInt32Value.of(weight));
    }
    return b.build();
  }

  public static ClusterLoadAssignment assignment(String cluster, LbEndpoint... endpoints) {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(cluster)
        .addEndpoints(LocalityLbEndpoints.newBuilder().addAllLbEndpoints(List.of(endpoints)))
        .build();
  }

  /** A listener named {@code IP_PORT} bound there, with a tcp_proxy to {@code cluster}. */
  public static Listener tcpListener(String ip, int port, String cluster) {
    TcpProxy tcp = TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build();
    return Listener.newBuilder()
        .setName(ip + "_" + port)
        .setAddress(socket(ip, port))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder().setName("envoy.filters.network.tcp_proxy").setTypedConfig(Any.pack(tcp))))
        .build();
  }

  /** A listener {@code 0.0.0.0_PORT} with an HTTP connection manager using RDS {@code route}. */
  public static Listener httpListener(int port, String route) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix("outbound_0.0.0.0_" + port)
        .setRds(Rds.newBuilder().setRouteConfigName(route).setConfigSource(ADS))
        .build();
    return Listener.newBuilder()
        .setName("0.0.0.0_" + port)
        .setAddress(socket("0.0.0.0", port))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder().setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm))))
        .build();
  }

  public static RouteMatch prefix(String p) {
    return RouteMatch.newBuilder().setPrefix(p).build();
  }

  public static Route toCluster(RouteMatch match, String cluster) {
    return Route.newBuilder().setMatch(match).setRoute(RouteAction.newBuilder().setCluster(cluster)).build();
  }

  public static Route weighted(RouteMatch match, Object... nameWeight) {
    WeightedCluster.Builder wc = WeightedCluster.newBuilder();
    for (int i = 0; i < nameWeight.length; i += 2) {
      wc.addClusters(WeightedCluster.ClusterWeight.newBuilder().setName((String) nameWeight[i]).setWeight(UInt32Value.of((Integer) nameWeight[i + 1])));
    }
    return Route.newBuilder().setMatch(match).setRoute(RouteAction.newBuilder().setWeightedClusters(wc)).build();
  }

  /** An Istio virtual host {@code HOST:PORT} with the given domains and routes. */
  public static VirtualHost vhost(String name, List<String> domains, Route... routes) {
    return VirtualHost.newBuilder().setName(name).addAllDomains(domains).addAllRoutes(List.of(routes)).build();
  }

  public static RouteConfiguration routes(String name, VirtualHost... hosts) {
    return RouteConfiguration.newBuilder().setName(name).addAllVirtualHosts(List.of(hosts)).build();
  }
}
