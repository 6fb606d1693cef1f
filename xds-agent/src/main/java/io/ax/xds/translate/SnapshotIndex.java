package io.ax.xds.translate;

import io.ax.xds.resource.ChainAction;
import io.ax.xds.resource.ClusterResource;
import io.ax.xds.resource.ClusterWeight;
import io.ax.xds.resource.FilterChain;
import io.ax.xds.resource.IstioClusterName;
import io.ax.xds.resource.ListenerResource;
import io.ax.xds.resource.Route;
import io.ax.xds.resource.RouteAction;
import io.ax.xds.resource.RouteResource;
import io.ax.xds.resource.VirtualHost;
import io.ax.xds.resource.XdsAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The joins translation needs, each built in one pass over the snapshot (no nested scans, so a
 * mesh of 10,000 services costs a few hash lookups per resource): outbound clusters by service
 * port, vIPs from {@code VIP_PORT} listeners and from IP domains of virtual hosts, and the virtual
 * host that routes each service port.
 *
 * <p>Built and then read by one translation on one thread; not shared, not thread-safe.
 */
final class SnapshotIndex {
  /** The default cluster ({@code outbound|PORT||HOST}) and subset clusters of one service port. */
  static final class Service {
    ClusterResource defaultCluster;
    final TreeMap<String, ClusterResource> subsets = new TreeMap<>();
  }

  final TreeMap<ServicePort, Service> services = new TreeMap<>();
  final Map<ServicePort, TreeSet<String>> listenerVips = new HashMap<>();
  final Map<ServicePort, TreeSet<String>> domainVips = new HashMap<>();
  /** The first virtual host (by route configuration name) whose domains or routes name the service port. */
  final Map<ServicePort, VirtualHost> vhosts = new HashMap<>();
  /**
   * The tcp_proxy of a {@code VIP_PORT} listener whose clusters all belong to one service port:
   * for a TCP service it is what the virtual host's catch-all route is for HTTP (a VirtualService's
   * tcp weights end up there).
   */
  final Map<ServicePort, List<ClusterWeight>> tcpRoutes = new HashMap<>();
  /** Every route configuration: RDS ones by name, then listeners' inline ones. */
  private final TreeMap<String, RouteResource> routeConfigs = new TreeMap<>();

  SnapshotIndex(XdsSnapshot snapshot, Notes notes) {
    for (ClusterResource c : new TreeMap<>(snapshot.clusters()).values()) {
      indexCluster(c, notes);
    }
    routeConfigs.putAll(snapshot.routes());
    for (ListenerResource l : new TreeMap<>(snapshot.listeners()).values()) {
      for (FilterChain fc : l.filterChains()) {
        if (fc.action() instanceof ChainAction.HttpInline(RouteResource inline)) {
          routeConfigs.putIfAbsent("listener " + l.name() + " " + fc.name() + " " + inline.name(), inline);
        }
      }
    }
    for (RouteResource rc : routeConfigs.values()) {
      for (VirtualHost vh : rc.virtualHosts()) {
        indexVirtualHost(vh);
      }
    }
    for (ListenerResource l : new TreeMap<>(snapshot.listeners()).values()) {
      indexVipListener(l, snapshot);
    }
  }

  private void indexCluster(ClusterResource c, Notes notes) {
    Optional<IstioClusterName> istio = c.istioName();
    if (istio.isEmpty()) {
      notes.summary(c.discoveryType() == io.ax.xds.resource.DiscoveryType.ORIGINAL_DST ? Notes.Summary.ORIGINAL_DST : Notes.Summary.PLUMBING, c.name());
      return;
    }
    IstioClusterName n = istio.get();
    if (n.direction() != IstioClusterName.Direction.OUTBOUND || n.host().isEmpty()) {
      notes.summary(Notes.Summary.INBOUND, c.name());
      return;
    }
    Service s = services.computeIfAbsent(new ServicePort(n.host(), n.port()), k -> new Service());
    if (n.isSubset()) {
      s.subsets.put(n.subset(), c);
    } else {
      s.defaultCluster = c;
    }
  }

  /** The service port a cluster name belongs to, if it is an outbound cluster of the snapshot. */
  Optional<ServicePort> serviceOf(String clusterName) {
    return IstioClusterName.parse(clusterName)
        .filter(n -> n.direction() == IstioClusterName.Direction.OUTBOUND)
        .map(n -> new ServicePort(n.host(), n.port()))
        .filter(services::containsKey);
  }

  private void indexVirtualHost(VirtualHost vh) {
    Optional<ServicePort> key = keyOfVirtualHost(vh);
    if (key.isEmpty()) {
      return;
    }
    ServicePort hp = key.get();
    vhosts.putIfAbsent(hp, vh);
    for (String d : vh.domains()) {
      int colon = d.indexOf(':');
      String ip = colon < 0 ? d : d.substring(0, colon);
      if (colon >= 0 && !d.substring(colon + 1).equals(Integer.toString(hp.port()))) {
        continue;
      }
      if (isVip(ip)) {
        domainVips.computeIfAbsent(hp, k -> new TreeSet<>()).add(ip);
      }
    }
  }

  /**
   * Istio names a virtual host {@code HOST:PORT}; when the name is not a known service port, the
   * virtual host counts only if all its routes go to clusters of one service port.
   */
  private Optional<ServicePort> keyOfVirtualHost(VirtualHost vh) {
    int colon = vh.name().lastIndexOf(':');
    if (colon > 0) {
      try {
        ServicePort hp = new ServicePort(vh.name().substring(0, colon), Integer.parseInt(vh.name().substring(colon + 1)));
        if (services.containsKey(hp)) {
          return Optional.of(hp);
        }
      } catch (NumberFormatException e) {
        // not HOST:PORT; fall back on the routes
      }
    }
    Set<ServicePort> targets = new HashSet<>();
    for (Route r : vh.routes()) {
      for (String c : clustersOf(r.action())) {
        Optional<ServicePort> hp = serviceOf(c);
        if (hp.isEmpty()) {
          return Optional.empty();
        }
        targets.add(hp.get());
      }
    }
    return targets.size() == 1 ? Optional.of(targets.iterator().next()) : Optional.empty();
  }

  static List<String> clustersOf(RouteAction action) {
    return switch (action) {
      case RouteAction.ToCluster(String c) -> List.of(c);
      case RouteAction.Weighted(List<ClusterWeight> cs) -> cs.stream().map(ClusterWeight::cluster).toList();
      case RouteAction.FromHeader h -> List.of();
      case RouteAction.Other o -> List.of();
    };
  }

  /** A listener named {@code VIP_PORT} and bound there gives the vIP to the service ports it serves on PORT. */
  private void indexVipListener(ListenerResource l, XdsSnapshot snapshot) {
    if (!(l.address().orElse(null) instanceof XdsAddress.Ipv4(String ip, int port)) || !isVip(ip) || !l.name().equals(ip + "_" + port)) {
      return;
    }
    List<String> clusters = new ArrayList<>();
    for (FilterChain fc : l.filterChains()) {
      switch (fc.action()) {
        case ChainAction.TcpProxy(List<ClusterWeight> cs) -> {
          cs.forEach(c -> clusters.add(c.cluster()));
          Set<ServicePort> targets = new HashSet<>();
          cs.forEach(c -> targets.add(serviceOf(c.cluster()).orElse(null)));
          if (targets.size() == 1 && !targets.contains(null) && targets.iterator().next().port() == port) {
            tcpRoutes.putIfAbsent(targets.iterator().next(), cs);
          }
        }
        case ChainAction.HttpRds(String route) -> {
          RouteResource rc = snapshot.routes().get(route);
          if (rc != null) {
            addRouteClusters(rc, clusters);
          }
        }
        case ChainAction.HttpInline(RouteResource rc) -> addRouteClusters(rc, clusters);
        case ChainAction.Other o -> {
          // nothing to learn
        }
      }
    }
    for (String c : clusters) {
      serviceOf(c).filter(hp -> hp.port() == port).ifPresent(hp -> listenerVips.computeIfAbsent(hp, k -> new TreeSet<>()).add(ip));
    }
  }

  private static void addRouteClusters(RouteResource rc, List<String> into) {
    for (VirtualHost vh : rc.virtualHosts()) {
      for (Route r : vh.routes()) {
        into.addAll(clustersOf(r.action()));
      }
    }
  }

  /** An IPv4 address a vservice can front: not 0.0.0.0 (a wildcard listener) and not loopback. */
  static boolean isVip(String ip) {
    return XdsAddress.isIpv4(ip) && !ip.equals("0.0.0.0") && !ip.startsWith("127.");
  }
}
