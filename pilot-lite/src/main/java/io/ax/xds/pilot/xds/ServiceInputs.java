package io.ax.xds.pilot.xds;

import io.ax.xds.pilot.config.VirtualService;
import io.ax.xds.pilot.mesh.HostRules;
import io.ax.xds.pilot.mesh.Hosts;
import io.ax.xds.pilot.mesh.Mesh;
import io.ax.xds.pilot.mesh.MeshOptions;
import io.ax.xds.pilot.mesh.MeshService;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything the generation of one service's resources reads from the {@link Mesh}: equal inputs
 * give equal resources, so {@link IncrementalGenerator} reuses them. The generators read the
 * service, its rules and VirtualService, the options, and, to resolve the VirtualService's
 * destinations, the service and rules of each destination host; a generator that starts reading
 * more of the mesh must add it here. Immutable.
 *
 * @param destinations each destination host of the VirtualService, with its service and rules (or
 *     empty when it is not a service)
 */
record ServiceInputs(
    MeshService service,
    HostRules rules,
    Optional<VirtualService> virtualService,
    Map<String, Optional<Destination>> destinations,
    MeshOptions options) {
  ServiceInputs {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(virtualService, "virtualService");
    destinations = Map.copyOf(destinations);
    Objects.requireNonNull(options, "options");
  }

  /** What a route to another host sees of it: its ports, and its subsets through its rules. */
  record Destination(MeshService service, HostRules rules) {}

  static ServiceInputs of(Mesh mesh, MeshService s) {
    Optional<VirtualService> vs = mesh.virtualService(s.host());
    Map<String, Optional<Destination>> destinations = new TreeMap<>();
    vs.ifPresent(v -> {
      for (VirtualService.HttpRoute r : v.http()) {
        add(mesh, v, r.route(), destinations);
      }
      for (VirtualService.TcpRoute r : v.tcp()) {
        add(mesh, v, r.route(), destinations);
      }
    });
    return new ServiceInputs(s, mesh.rules(s.host()), vs, destinations, mesh.options());
  }

  private static void add(Mesh mesh, VirtualService vs, List<VirtualService.Destination> route, Map<String, Optional<Destination>> out) {
    for (VirtualService.Destination d : route) {
      String host = Hosts.resolve(d.host(), vs.meta().namespace(), mesh.options().domainSuffix());
      out.computeIfAbsent(host, h -> mesh.service(h).map(x -> new Destination(x, mesh.rules(h))));
    }
  }

  /** Equality, short-cut on identity: a mesh that reuses its services makes this cheap. */
  boolean sameAs(ServiceInputs other) {
    return service == other.service && rules.equals(other.rules) && virtualService.equals(other.virtualService)
        && destinations.equals(other.destinations) && options.equals(other.options)
        || equals(other);
  }
}
