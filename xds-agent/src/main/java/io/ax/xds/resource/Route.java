package io.ax.xds.resource;

import java.util.Objects;
import java.util.Set;

/**
 * One route of a virtual host.
 *
 * @param name the route's name, often empty
 * @param features the L7 behaviours it configures beyond choosing a cluster (retries, mirrors,
 *     fault injection...), which ax cannot apply at connect() time
 */
public record Route(String name, RouteMatch match, RouteAction action, Set<L7Feature> features) {
  public Route {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(action, "action");
    features = Set.copyOf(features);
  }
}
