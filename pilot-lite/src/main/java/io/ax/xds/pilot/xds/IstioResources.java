package io.ax.xds.pilot.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;

/**
 * The xDS resources of a mesh, each list sorted by name, so that equal meshes give equal values
 * (the snapshot version changes only when these do). Immutable.
 *
 * @param services how many services they describe
 * @param notes config accepted without effect, one line each
 */
public record IstioResources(
    int services,
    List<Cluster> clusters,
    List<ClusterLoadAssignment> endpoints,
    List<Listener> listeners,
    List<RouteConfiguration> routes,
    List<String> notes) {
  public IstioResources {
    clusters = List.copyOf(clusters);
    endpoints = List.copyOf(endpoints);
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
    notes = List.copyOf(notes);
  }

  /** {@code 4 services, 13 clusters, 4 listeners, 1 route}. */
  public String summary() {
    return plural(services, "service") + ", " + plural(clusters.size(), "cluster") + ", " + plural(listeners.size(), "listener") + ", "
        + plural(routes.size(), "route");
  }

  private static String plural(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }
}
