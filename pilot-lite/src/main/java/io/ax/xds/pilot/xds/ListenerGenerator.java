package io.ax.xds.pilot.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.ax.xds.pilot.config.VirtualService;
import io.ax.xds.pilot.mesh.Mesh;
import io.ax.xds.pilot.mesh.MeshService;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;
import java.util.Optional;

/**
 * Outbound listeners as istiod names them: {@code 0.0.0.0_PORT} with an HTTP connection manager
 * on RDS route {@code PORT} for HTTP ports, {@code VIP_PORT} with tcp_proxy for other TCP ports.
 * Like istiod's, they do not bind (the sidecar's virtualOutbound listener would hand them
 * connections). Pure.
 */
final class ListenerGenerator {
  static final String HCM = "envoy.filters.network.http_connection_manager";
  static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
  static final String ROUTER = "envoy.filters.http.router";

  private ListenerGenerator() {}

  static Listener http(int port) {
    String name = ClusterNames.httpListener(port);
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix("outbound_" + name)
        .setRds(Rds.newBuilder().setConfigSource(ClusterGenerator.ADS).setRouteConfigName(ClusterNames.route(port)))
        .addHttpFilters(HttpFilter.newBuilder().setName(ROUTER).setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    return listener(name, "0.0.0.0", port, Filter.newBuilder().setName(HCM).setTypedConfig(Any.pack(hcm)).build());
  }

  /** The TCP listener of a service port with a vIP; its VirtualService's first matching tcp route picks the clusters. */
  static Listener tcp(Mesh mesh, MeshService s, String vip, int port, List<String> notes) {
    TcpProxy.Builder proxy = TcpProxy.newBuilder();
    List<Destinations.Target> targets = List.of();
    Optional<VirtualService> vs = mesh.virtualService(s.host());
    if (vs.isPresent()) {
      for (VirtualService.TcpRoute r : vs.get().tcp()) {
        if (r.matchPorts().isEmpty() || r.matchPorts().contains(port)) {
          targets = Destinations.resolve(mesh, vs.get(), r.route(), port, notes);
          break;
        }
      }
    }
    if (targets.isEmpty()) {
      targets = List.of(new Destinations.Target(ClusterNames.outbound(port, "", s.host()), 0));
    }
    if (targets.size() == 1) {
      proxy.setCluster(targets.getFirst().cluster()).setStatPrefix(targets.getFirst().cluster());
    } else {
      TcpProxy.WeightedCluster.Builder wc = TcpProxy.WeightedCluster.newBuilder();
      for (Destinations.Target t : targets) {
        wc.addClusters(TcpProxy.WeightedCluster.ClusterWeight.newBuilder().setName(t.cluster()).setWeight(t.weight()));
      }
      proxy.setWeightedClusters(wc).setStatPrefix(ClusterNames.outbound(port, "", s.host()));
    }
    return listener(ClusterNames.tcpListener(vip, port), vip, port, Filter.newBuilder().setName(TCP_PROXY).setTypedConfig(Any.pack(proxy.build())).build());
  }

  private static Listener listener(String name, String ip, int port, Filter filter) {
    return Listener.newBuilder()
        .setName(name)
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)))
        .addFilterChains(FilterChain.newBuilder().addFilters(filter))
        .setBindToPort(BoolValue.of(false))
        .setTrafficDirection(TrafficDirection.OUTBOUND)
        .build();
  }

}
