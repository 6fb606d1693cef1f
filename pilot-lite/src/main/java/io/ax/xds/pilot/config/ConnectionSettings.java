package io.ax.xds.pilot.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The parts of a traffic policy that a connect can honour besides the load balancer: its
 * {@code connectionPool.tcp} and its {@code outlierDetection}, as written (istiod's defaults are
 * the cluster generator's business). A port-level or subset policy replaces each of the two
 * as a whole where it sets it, as istiod's {@code MergeTrafficPolicy} does.
 */
public record ConnectionSettings(Optional<TcpPool> tcp, Optional<Outlier> outlier, Optional<LocalitySetting> locality) {
  public static final ConnectionSettings NONE = new ConnectionSettings(Optional.empty(), Optional.empty(), Optional.empty());

  public ConnectionSettings {
    Objects.requireNonNull(tcp, "tcp");
    Objects.requireNonNull(outlier, "outlier");
    Objects.requireNonNull(locality, "locality");
  }

  /** {@code over}'s parts where it sets them, this one's elsewhere. */
  public ConnectionSettings overriddenBy(ConnectionSettings over) {
    return new ConnectionSettings(
        over.tcp.isPresent() ? over.tcp : tcp, over.outlier.isPresent() ? over.outlier : outlier, over.locality.isPresent() ? over.locality : locality);
  }

  /**
   * {@code loadBalancer.localityLbSetting}.
   *
   * @param enabled false turns locality load balancing off (Istio's mesh default is on)
   * @param failover {@code from} region to {@code to} region, in order
   * @param distribute {@code from} pattern to weights per {@code to} pattern, in order
   */
  public record LocalitySetting(boolean enabled, java.util.List<java.util.Map.Entry<String, String>> failover,
      java.util.List<java.util.Map.Entry<String, java.util.Map<String, Integer>>> distribute) {
    public LocalitySetting {
      failover = java.util.List.copyOf(failover);
      distribute = java.util.List.copyOf(distribute);
    }
  }

  /** {@code connectionPool.tcp}: the fields a connect can honour. */
  public record TcpPool(Optional<Duration> connectTimeout, OptionalInt maxConnections) {
    public TcpPool {
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(maxConnections, "maxConnections");
    }
  }

  /** {@code outlierDetection}, each field empty where it is not written. */
  public record Outlier(
      OptionalInt consecutive5xxErrors,
      OptionalInt consecutiveGatewayErrors,
      boolean splitExternalLocalOriginErrors,
      OptionalInt consecutiveLocalOriginFailures,
      Optional<Duration> interval,
      Optional<Duration> baseEjectionTime,
      OptionalInt maxEjectionPercent) {
    public Outlier {
      Objects.requireNonNull(consecutive5xxErrors, "consecutive5xxErrors");
      Objects.requireNonNull(consecutiveGatewayErrors, "consecutiveGatewayErrors");
      Objects.requireNonNull(consecutiveLocalOriginFailures, "consecutiveLocalOriginFailures");
      Objects.requireNonNull(interval, "interval");
      Objects.requireNonNull(baseEjectionTime, "baseEjectionTime");
      Objects.requireNonNull(maxEjectionPercent, "maxEjectionPercent");
    }
  }
}
