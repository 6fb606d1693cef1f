package io.ax.xds.pilot.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The resources of one service: its clusters, their ClusterLoadAssignments, its TCP listeners,
 * and its virtual host on each HTTP port (the shared listeners and route configurations of the
 * ports are assembled from these). Immutable.
 *
 * @param notes config of this service accepted without effect (clusters and TCP listeners)
 */
record ServiceResources(
    List<Cluster> clusters, List<ClusterLoadAssignment> endpoints, List<Listener> tcpListeners, List<PortHost> virtualHosts, List<String> notes) {
  ServiceResources {
    clusters = List.copyOf(clusters);
    endpoints = List.copyOf(endpoints);
    tcpListeners = List.copyOf(tcpListeners);
    virtualHosts = List.copyOf(virtualHosts);
    notes = List.copyOf(notes);
  }

  /**
   * These resources, with each one equal to {@code old}'s at the same place replaced by that old
   * object: a change of a subset's policy leaves the service's virtual host the same object, so
   * the 10,000-host route configuration of its port need not be built and hashed again.
   */
  ServiceResources reusing(ServiceResources old) {
    List<PortHost> hosts = new ArrayList<>(virtualHosts);
    for (int i = 0; i < hosts.size() && i < old.virtualHosts.size(); i++) {
      PortHost h = hosts.get(i);
      PortHost o = old.virtualHosts.get(i);
      if (h.port == o.port && h.virtualHost.equals(o.virtualHost)) {
        hosts.set(i, new PortHost(h.port, o.virtualHost, h.notes));
      }
    }
    return new ServiceResources(same(clusters, old.clusters), same(endpoints, old.endpoints), same(tcpListeners, old.tcpListeners), hosts, notes);
  }

  private static <T> List<T> same(List<T> fresh, List<T> old) {
    List<T> out = new ArrayList<>(fresh);
    for (int i = 0; i < out.size() && i < old.size(); i++) {
      if (out.get(i).equals(old.get(i))) {
        out.set(i, old.get(i));
      }
    }
    return out;
  }

  /** The service's virtual host in the route configuration of an HTTP port, with the notes on its routes. */
  record PortHost(int port, VirtualHost virtualHost, List<String> notes) {
    PortHost {
      Objects.requireNonNull(virtualHost, "virtualHost");
      notes = List.copyOf(notes);
    }
  }
}
