package io.ax.xds.pilot.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The part of a DestinationRule {@code trafficPolicy} that reaches a connect() decision: the load
 * balancer, overall and per port, and the connection settings (connect timeout, connection
 * limit, outlier detection), overall and per port. TLS is accepted and not modelled.
 */
public record TrafficPolicy(
    Optional<LoadBalancer> loadBalancer, Map<Integer, LoadBalancer> portLevel, ConnectionSettings connection, Map<Integer, ConnectionSettings> portLevelConnection) {
  public TrafficPolicy {
    portLevel = Map.copyOf(portLevel);
    Objects.requireNonNull(connection, "connection");
    portLevelConnection = Map.copyOf(portLevelConnection);
  }

  /** A policy of load balancers only. */
  public TrafficPolicy(Optional<LoadBalancer> loadBalancer, Map<Integer, LoadBalancer> portLevel) {
    this(loadBalancer, portLevel, ConnectionSettings.NONE, Map.of());
  }

  public static final TrafficPolicy NONE = new TrafficPolicy(Optional.empty(), Map.of());

  /** Whether it sets anything ax applies (a rule that sets nothing leaves the host to the next rule). */
  public boolean setsAnything() {
    return loadBalancer.isPresent() || !portLevel.isEmpty() || !connection.equals(ConnectionSettings.NONE) || !portLevelConnection.isEmpty();
  }

  /** The load balancer for {@code port}: its port-level setting, else the policy's own. */
  public Optional<LoadBalancer> forPort(int port) {
    LoadBalancer p = portLevel.get(port);
    return p != null ? Optional.of(p) : loadBalancer;
  }

  /** The connection settings for {@code port}: each part of its port-level settings, else the policy's own. */
  public ConnectionSettings connectionForPort(int port) {
    ConnectionSettings p = portLevelConnection.get(port);
    return p == null ? connection : connection.overriddenBy(p);
  }
}
