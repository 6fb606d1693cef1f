package io.ax.xds.resource;

import io.ax.admin.v1.LocalityLb;
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
 * @param localityLb from the cluster's {@code ax} metadata ({@link #METADATA}); off when absent
 */
public record ClusterResilience(Optional<Duration> connectTimeout, OptionalLong maxConnections, Optional<Outlier> outlier, LocalityLb localityLb) {
  public static final ClusterResilience NONE = new ClusterResilience(Optional.empty(), OptionalLong.empty(), Optional.empty(), LocalityLb.getDefaultInstance());

  /**
   * The cluster metadata pilot-lite writes Istio's {@code localityLbSetting} into, under
   * {@code filter_metadata}: istiod instead orders each proxy's endpoints by its locality, which
   * one snapshot for every node cannot do, so each daemon orders them by its own.
   */
  public static final String METADATA = "ax";

  public ClusterResilience {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(maxConnections, "maxConnections");
    Objects.requireNonNull(outlier, "outlier");
    Objects.requireNonNull(localityLb, "localityLb");
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
