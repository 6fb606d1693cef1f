package io.ax.xds.pilot.xds;

import io.ax.xds.pilot.mesh.Mesh;
import io.ax.xds.pilot.mesh.MeshService;
import io.ax.xds.pilot.mesh.Protocol;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Generates the resources of mesh after mesh, and regenerates only the services whose
 * {@link ServiceInputs} changed: the others keep their resource objects. At 10,000 services,
 * generating everything took about a second per change, and new objects also had to be hashed
 * again by the cache; a one-rule change now rebuilds one service's resources and the route
 * configuration of its port. The result is the same as {@link XdsGenerator#generate} of the mesh.
 *
 * <p>Not thread-safe: one instance per sequence of meshes, confined to its caller's thread.
 */
public final class IncrementalGenerator {
  private record Generated(ServiceInputs inputs, ServiceResources resources) {}

  private Map<String, Generated> byHost = Map.of();
  private final Map<Integer, Listener> httpListeners = new HashMap<>();
  private Map<Integer, RouteConfiguration> routes = Map.of();

  public IstioResources generate(Mesh mesh) {
    Map<String, Generated> next = new HashMap<>(mesh.services().size() * 2);
    for (MeshService s : mesh.services().values()) {
      ServiceInputs in = ServiceInputs.of(mesh, s);
      Generated old = byHost.get(s.host());
      if (old == null) {
        next.put(s.host(), new Generated(in, generate(mesh, s)));
      } else {
        next.put(s.host(), old.inputs.sameAs(in) ? old : new Generated(in, generate(mesh, s).reusing(old.resources)));
      }
    }
    byHost = next;
    return assemble(mesh);
  }

  /** The resources of one service, as {@link XdsGenerator} made them before it was incremental. */
  private static ServiceResources generate(Mesh mesh, MeshService s) {
    List<String> notes = new ArrayList<>();
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    ClusterGenerator.generate(mesh, s, clusters, endpoints, notes);
    List<Listener> tcp = new ArrayList<>();
    List<ServiceResources.PortHost> hosts = new ArrayList<>();
    for (MeshService.Port p : s.ports()) {
      if (p.protocol() == Protocol.HTTP) {
        List<String> routeNotes = new ArrayList<>();
        hosts.add(new ServiceResources.PortHost(p.port(), RouteGenerator.virtualHost(mesh, p.port(), s, routeNotes), routeNotes));
      } else if (p.protocol() == Protocol.TCP && s.vip().isPresent()) {
        tcp.add(ListenerGenerator.tcp(mesh, s, s.vip().get(), p.port(), notes));
      }
    }
    return new ServiceResources(clusters, endpoints, tcp, hosts, notes);
  }

  /**
   * Joins the services' resources in host order, sorted by name as {@link IstioResources} wants. A
   * port's route configuration is built again only when one of its virtual hosts is a new object.
   * Notes keep the order of a full generation: the mesh's, each service's, then the routes' by port.
   */
  private IstioResources assemble(Mesh mesh) {
    List<String> notes = new ArrayList<>(mesh.notes());
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    List<Listener> listeners = new ArrayList<>();
    TreeMap<Integer, List<ServiceResources.PortHost>> httpPorts = new TreeMap<>();
    for (MeshService s : mesh.services().values()) {
      ServiceResources r = byHost.get(s.host()).resources;
      clusters.addAll(r.clusters());
      endpoints.addAll(r.endpoints());
      listeners.addAll(r.tcpListeners());
      notes.addAll(r.notes());
      for (ServiceResources.PortHost h : r.virtualHosts()) {
        httpPorts.computeIfAbsent(h.port(), k -> new ArrayList<>()).add(h);
      }
    }
    Map<Integer, RouteConfiguration> nextRoutes = new HashMap<>();
    List<RouteConfiguration> routeList = new ArrayList<>();
    httpPorts.forEach((port, hosts) -> {
      listeners.add(httpListeners.computeIfAbsent(port, ListenerGenerator::http));
      List<VirtualHost> vhosts = hosts.stream().map(ServiceResources.PortHost::virtualHost).toList();
      RouteConfiguration old = routes.get(port);
      RouteConfiguration rc = old != null && sameObjects(old.getVirtualHostsList(), vhosts) ? old : RouteGenerator.configuration(port, vhosts);
      nextRoutes.put(port, rc);
      routeList.add(rc);
      hosts.forEach(h -> notes.addAll(h.notes()));
    });
    routes = nextRoutes;
    httpListeners.keySet().retainAll(httpPorts.keySet());
    clusters.sort(Comparator.comparing(Cluster::getName));
    endpoints.sort(Comparator.comparing(ClusterLoadAssignment::getClusterName));
    listeners.sort(Comparator.comparing(Listener::getName));
    routeList.sort(Comparator.comparing(RouteConfiguration::getName));
    return new IstioResources(mesh.services().size(), clusters, endpoints, listeners, routeList, notes.stream().distinct().toList());
  }

  private static <T> boolean sameObjects(List<T> a, List<T> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }
}
