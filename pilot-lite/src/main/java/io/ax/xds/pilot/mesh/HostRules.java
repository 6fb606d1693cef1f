package io.ax.xds.pilot.mesh;

import io.ax.xds.pilot.config.ConnectionSettings;
import io.ax.xds.pilot.config.DestinationRule;
import io.ax.xds.pilot.config.LoadBalancer;
import io.ax.xds.pilot.config.TrafficPolicy;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The destination rules of one host after merging: the DestinationRules for it (first one wins for
 * the traffic policy, subsets are united) and legacy DestinationPolicies below them.
 */
public record HostRules(TrafficPolicy policy, List<DestinationRule.Subset> subsets) {
  public HostRules {
    Objects.requireNonNull(policy, "policy");
    subsets = List.copyOf(subsets);
  }

  public static final HostRules NONE = new HostRules(TrafficPolicy.NONE, List.of());

  /** The load balancer of the host's cluster on {@code port}, if a rule sets one. */
  public Optional<LoadBalancer> loadBalancer(int port) {
    return policy.forPort(port);
  }

  /** The load balancer of a subset cluster: the subset's own policy, else the host's. */
  public Optional<LoadBalancer> loadBalancer(DestinationRule.Subset subset, int port) {
    Optional<LoadBalancer> own = subset.trafficPolicy().forPort(port);
    return own.isPresent() ? own : loadBalancer(port);
  }

  /** The connection settings of the host's cluster on {@code port}. */
  public ConnectionSettings connection(int port) {
    return policy.connectionForPort(port);
  }

  /** The connection settings of a subset cluster: each part of the subset's own where it sets it, else the host's. */
  public ConnectionSettings connection(DestinationRule.Subset subset, int port) {
    return connection(port).overriddenBy(subset.trafficPolicy().connectionForPort(port));
  }

  public Optional<DestinationRule.Subset> subset(String name) {
    return subsets.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
