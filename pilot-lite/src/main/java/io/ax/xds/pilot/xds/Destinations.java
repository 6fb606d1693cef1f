package io.ax.xds.pilot.xds;

import io.ax.xds.pilot.config.VirtualService;
import io.ax.xds.pilot.mesh.Hosts;
import io.ax.xds.pilot.mesh.Mesh;
import io.ax.xds.pilot.mesh.MeshService;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Route destinations of a VirtualService as clusters, the way istiod's route.go picks them: the
 * destination's port, else the port being routed when the destination has it, else its only port.
 * A destination with no cluster behind it (unknown host, port or subset) is left out with a note,
 * where istiod would route to a cluster that does not exist (503 NR).
 */
final class Destinations {
  private Destinations() {}

  /** A cluster and its weight (0 when the route has one destination). */
  record Target(String cluster, int weight) {
    Target {
      Objects.requireNonNull(cluster, "cluster");
    }
  }

  static List<Target> resolve(Mesh mesh, VirtualService vs, List<VirtualService.Destination> route, int routedPort, List<String> notes) {
    List<Target> out = new ArrayList<>();
    for (VirtualService.Destination d : route) {
      if (route.size() > 1 && d.weight() == 0) {
        continue; // istiod drops weight-0 destinations of a split
      }
      String host = Hosts.resolve(d.host(), vs.meta().namespace(), mesh.options().domainSuffix());
      Optional<MeshService> s = mesh.service(host);
      if (s.isEmpty()) {
        notes.add(vs.meta().id() + ": destination " + host + " is not a service; left out");
        continue;
      }
      Optional<Integer> port = port(s.get(), d, routedPort);
      if (port.isEmpty()) {
        notes.add(vs.meta().id() + ": destination " + host + " has no port " + (d.port().isPresent() ? d.port().getAsInt() : routedPort) + "; left out");
        continue;
      }
      String subset = d.subset().orElse("");
      if (!subset.isEmpty() && mesh.rules(host).subset(subset).isEmpty()) {
        notes.add(vs.meta().id() + ": subset " + subset + " of " + host + " is in no DestinationRule; left out");
        continue;
      }
      out.add(new Target(ClusterNames.outbound(port.get(), subset, host), d.weight()));
    }
    return out;
  }

  private static Optional<Integer> port(MeshService s, VirtualService.Destination d, int routedPort) {
    if (d.port().isPresent()) {
      int p = d.port().getAsInt();
      return s.ports().stream().anyMatch(x -> x.port() == p) ? Optional.of(p) : Optional.empty();
    }
    if (s.ports().stream().anyMatch(x -> x.port() == routedPort)) {
      return Optional.of(routedPort);
    }
    return s.ports().size() == 1 ? Optional.of(s.ports().getFirst().port()) : Optional.empty();
  }
}
