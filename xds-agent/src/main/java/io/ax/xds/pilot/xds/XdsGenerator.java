package io.ax.xds.pilot.xds;

import io.ax.xds.pilot.mesh.Mesh;
import io.ax.xds.pilot.mesh.MeshService;
import io.ax.xds.pilot.mesh.Protocol;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Turns a {@link Mesh} into the Istio-shaped xDS resources istiod would send a sidecar: clusters,
 * endpoints, listeners and routes with istiod's names. Pure and deterministic: the same mesh
 * gives equal resources.
 */
public final class XdsGenerator {
  private XdsGenerator() {}

  public static IstioResources generate(Mesh mesh) {
    List<String> notes = new ArrayList<>(mesh.notes());
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    List<Listener> listeners = new ArrayList<>();
    TreeMap<Integer, List<MeshService>> httpPorts = new TreeMap<>();
    for (MeshService s : mesh.services().values()) {
      ClusterGenerator.generate(mesh, s, clusters, endpoints, notes);
      for (MeshService.Port p : s.ports()) {
        if (p.protocol() == Protocol.HTTP) {
          httpPorts.computeIfAbsent(p.port(), k -> new ArrayList<>()).add(s);
        } else if (p.protocol() == Protocol.TCP && s.vip().isPresent()) {
          listeners.add(ListenerGenerator.tcp(mesh, s, s.vip().get(), p.port(), notes));
        }
      }
    }
    List<RouteConfiguration> routes = new ArrayList<>();
    httpPorts.forEach((port, services) -> {
      listeners.add(ListenerGenerator.http(port));
      routes.add(RouteGenerator.generate(mesh, port, services, notes));
    });
    clusters.sort(Comparator.comparing(Cluster::getName));
    endpoints.sort(Comparator.comparing(ClusterLoadAssignment::getClusterName));
    listeners.sort(Comparator.comparing(Listener::getName));
    routes.sort(Comparator.comparing(RouteConfiguration::getName));
    return new IstioResources(mesh.services().size(), clusters, endpoints, listeners, routes, notes.stream().distinct().toList());
  }
}
