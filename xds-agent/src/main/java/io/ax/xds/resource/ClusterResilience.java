package io.ax.xds.resource;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a cluster asks of each connect beyond balancing, as far as a connect can honour it: its
 * {@code connect_timeout}, the DEFAULT priority's {@code circuit_breakers} {@code max_connections},
 * and its {@code outlier_detection} read as consecutive connect failures. Immutable.
 *
 * <p>Envoy's defaults for fields that are absent are not assumed (a 5 s connect timeout, 1024
 * connections): istiod sets all three on every cluster, and a hand-made cluster without them
 * keeps the daemon's behaviour.
 *
 * @param maxConnections empty when unset or above int range (Istio's "unlimited" is 2^32-1)
 */
public record ClusterResilience(Optional<Duration> connectTimeout, OptionalLong maxConnections, Optional<Outlier> outlier) {
  public static final ClusterResilience NONE = new ClusterResilience(Optional.empty(), OptionalLong.empty(), Optional.empty());

  public ClusterResilience {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(maxConnections, "maxConnections");
    Objects.requireNonNull(outlier, "outlier");
  }

  /**
   * Envoy's outlier detection as connect failures count in it.
   *
   * @param consecutiveFailures the lowest enforced threshold a connect failure counts toward
   */
  public record Outlier(int consecutiveFailures, Duration baseEjectionTime, int maxEjectionPercent) {
    public Outlier {
      Objects.requireNonNull(baseEjectionTime, "baseEjectionTime");
    }
  }
}
