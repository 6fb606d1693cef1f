package io.ax.xds.resource;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.List;

/**
 * EDS: a ClusterLoadAssignment into an {@link EndpointResource}. Rules (each failure names the
 * endpoint by its index path): cluster_name is set; at most {@link Limits#MAX_ENDPOINTS}
 * endpoints; each has an address (see {@link Addresses}; a named_port is refused, as Envoy does),
 * a known health_status, and a load_balancing_weight of at least 1 when set (Envoy's rule) that
 * fits in 31 bits (ax's). IPv6, DNS-name, pipe and internal addresses are valid: translation
 * reports them.
 */
final class EndpointParser {
  private EndpointParser() {}

  static EndpointResource parse(ClusterLoadAssignment cla) throws InvalidResourceException {
    String name = cla.getClusterName();
    if (name.isEmpty()) {
      throw new InvalidResourceException(ResourceType.ENDPOINT, name, "cluster_name is empty");
    }
    if (name.length() > Limits.MAX_NAME) {
      throw new InvalidResourceException(ResourceType.ENDPOINT, abbreviate(name), "cluster_name is longer than " + Limits.MAX_NAME + " characters");
    }
    try {
      return new EndpointResource(name, endpoints(cla, ""));
    } catch (BadEndpoint e) {
      throw new InvalidResourceException(ResourceType.ENDPOINT, name, e.getMessage());
    }
  }

  /** A reason naming the endpoint's place, for the caller to attach to its resource. */
  static final class BadEndpoint extends Exception {
    BadEndpoint(String reason) {
      super(reason, null, false, false);
    }
  }

  /** The endpoints of a load assignment; {@code prefix} names it in errors ("load_assignment."). */
  static List<LbEndpoint> endpoints(ClusterLoadAssignment cla, String prefix) throws BadEndpoint {
    int total = 0;
    for (LocalityLbEndpoints group : cla.getEndpointsList()) {
      total += group.getLbEndpointsCount();
    }
    if (total > Limits.MAX_ENDPOINTS) {
      throw new BadEndpoint(prefix + "endpoints: " + total + " endpoints, more than the limit of " + Limits.MAX_ENDPOINTS);
    }
    List<LbEndpoint> out = new ArrayList<>(total);
    for (int g = 0; g < cla.getEndpointsCount(); g++) {
      LocalityLbEndpoints group = cla.getEndpoints(g);
      if (group.getPriority() < 0) {
        throw new BadEndpoint(prefix + "endpoints[" + g + "].priority " + Integer.toUnsignedString(group.getPriority()) + " is too large");
      }
      Locality locality = group.hasLocality()
          ? new Locality(group.getLocality().getRegion(), group.getLocality().getZone(), group.getLocality().getSubZone())
          : Locality.NONE;
      for (int i = 0; i < group.getLbEndpointsCount(); i++) {
        String where = prefix + "endpoints[" + g + "].lb_endpoints[" + i + "]";
        io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint e = group.getLbEndpoints(i);
        if (!e.hasEndpoint()) {
          throw new BadEndpoint(where + ": no endpoint (a named endpoint_name is not supported)");
        }
        XdsAddress address;
        try {
          address = Addresses.of(e.getEndpoint().getAddress());
        } catch (Addresses.BadAddress bad) {
          throw new BadEndpoint(where + ": " + bad.getMessage());
        }
        Health health = switch (e.getHealthStatus()) {
          case UNKNOWN -> Health.UNKNOWN;
          case HEALTHY -> Health.HEALTHY;
          case UNHEALTHY -> Health.UNHEALTHY;
          case DRAINING -> Health.DRAINING;
          case TIMEOUT -> Health.TIMEOUT;
          case DEGRADED -> Health.DEGRADED;
          case UNRECOGNIZED -> throw new BadEndpoint(where + ": health_status " + e.getHealthStatusValue() + " is not a known value");
        };
        int weight = 1;
        if (e.hasLoadBalancingWeight()) {
          int w = e.getLoadBalancingWeight().getValue();
          if (w == 0) {
            throw new BadEndpoint(where + ": load_balancing_weight 0 (expected at least 1)");
          }
          if (w < 0) {
            throw new BadEndpoint(where + ": load_balancing_weight " + Integer.toUnsignedString(w) + " is above 2147483647");
          }
          weight = w;
        }
        out.add(new LbEndpoint(address, health, weight, locality, group.getPriority()));
      }
    }
    return out;
  }

  static String abbreviate(String name) {
    return name.length() <= 80 ? name : name.substring(0, 80) + "...";
  }
}
