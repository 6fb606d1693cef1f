package io.ax.xds.resource;

import java.util.Objects;

/**
 * One endpoint of a ClusterLoadAssignment (EDS, or a cluster's inline load_assignment),
 * flattened with its locality group.
 *
 * @param weight {@code load_balancing_weight}, 1 when unset; at least 1
 * @param priority the priority of its locality group; 0 is the highest
 */
public record LbEndpoint(XdsAddress address, Health health, int weight, Locality locality, int priority) {
  public LbEndpoint {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(locality, "locality");
    if (weight < 1) {
      throw new IllegalArgumentException("weight " + weight + " must be at least 1");
    }
    if (priority < 0) {
      throw new IllegalArgumentException("priority " + priority + " must not be negative");
    }
  }
}
