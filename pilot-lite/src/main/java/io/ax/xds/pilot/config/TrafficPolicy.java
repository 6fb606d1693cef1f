package io.ax.xds.pilot.config;

import java.util.Map;
import java.util.Optional;

/**
 * The part of a DestinationRule {@code trafficPolicy} that reaches a connect() decision: the load
 * balancer, overall and per port. Connection pools, outlier detection and TLS are accepted and
 * not modelled.
 */
public record TrafficPolicy(Optional<LoadBalancer> loadBalancer, Map<Integer, LoadBalancer> portLevel) {
  public TrafficPolicy {
    portLevel = Map.copyOf(portLevel);
  }

  public static final TrafficPolicy NONE = new TrafficPolicy(Optional.empty(), Map.of());

  /** The load balancer for {@code port}: its port-level setting, else the policy's own. */
  public Optional<LoadBalancer> forPort(int port) {
    LoadBalancer p = portLevel.get(port);
    return p != null ? Optional.of(p) : loadBalancer;
  }
}
