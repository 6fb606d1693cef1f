package io.ax.core.model;

import io.ax.core.field.InvalidFieldException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a vservice (or one of its subsets) asks of each connect beyond balancing, Envoy's cluster
 * settings at L4: a connect timeout per backend, a connection limit, and outlier detection on
 * connect failures. Every part is optional; {@link #NONE} asks for nothing. Immutable.
 *
 * @param connectTimeout how long a blocking connect waits for one backend before it gives up on
 *     it and dials the next (Envoy's {@code connect_timeout}); empty: as long as the kernel waits
 * @param maxConnections at most this many open connections from this node to the backends,
 *     beyond which connects are refused (Envoy's {@code circuit_breakers} {@code max_connections});
 *     empty: no limit
 * @param outlierDetection ejects a backend after consecutive failed connects; empty: never
 */
public record Resilience(Optional<Duration> connectTimeout, OptionalInt maxConnections, Optional<OutlierDetection> outlierDetection) {
  public static final Resilience NONE = new Resilience(Optional.empty(), OptionalInt.empty(), Optional.empty());

  /** An hour: Envoy takes any duration, but a connect that waits longer is no timeout at all. */
  public static final Duration MAX_CONNECT_TIMEOUT = Duration.ofHours(1);

  public Resilience {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(maxConnections, "maxConnections");
    Objects.requireNonNull(outlierDetection, "outlierDetection");
    if (connectTimeout.isPresent()) {
      checkTimeout("connect_timeout", connectTimeout.get());
    }
    if (maxConnections.isPresent() && maxConnections.getAsInt() < 1) {
      throw new InvalidFieldException("max_connections", maxConnections.getAsInt() + " is not a connection limit (expected at least 1, or none)");
    }
  }

  /** Whether it asks for nothing. */
  public boolean isNone() {
    return equals(NONE);
  }

  private static void checkTimeout(String field, Duration d) {
    if (d.isNegative() || d.isZero() || d.compareTo(MAX_CONNECT_TIMEOUT) > 0) {
      throw new InvalidFieldException(field, d.toMillis() + " ms is outside 1 ms-1 h");
    }
  }

  /**
   * Envoy's outlier detection, counting what a connect can tell: a refused, unreachable or timed
   * out connect is a failure (as Envoy counts a local connect failure for both
   * {@code consecutive_5xx} and {@code consecutive_gateway_failure}), a connected one a success.
   *
   * @param consecutiveFailures failures in a row that eject a backend, at least 1
   * @param baseEjectionTime how long the first ejection lasts; the n-th in a row lasts n times as long
   * @param maxEjectionPercent at most this share of the backends is ejected at once, and at least
   *     one whatever the share, as Envoy does
   */
  public record OutlierDetection(int consecutiveFailures, Duration baseEjectionTime, int maxEjectionPercent) {
    /** Envoy's and Istio's: 30 s, at most 10%. */
    public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);

    public static final int DEFAULT_MAX_EJECTION_PERCENT = 10;

    /** Envoy's {@code max_ejection_time} default: the n-th ejection lasts no longer than 300 s. */
    public static final Duration MAX_EJECTION_TIME = Duration.ofSeconds(300);

    public OutlierDetection {
      Objects.requireNonNull(baseEjectionTime, "baseEjectionTime");
      if (consecutiveFailures < 1) {
        throw new InvalidFieldException("consecutive_failures", consecutiveFailures + " is not a failure count (expected at least 1)");
      }
      if (baseEjectionTime.isNegative() || baseEjectionTime.isZero() || baseEjectionTime.compareTo(MAX_EJECTION_TIME) > 0) {
        throw new InvalidFieldException("base_ejection_ms", baseEjectionTime.toMillis() + " ms is outside 1 ms-300 s");
      }
      if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
        throw new InvalidFieldException("max_ejection_percent", maxEjectionPercent + " is outside 0-100");
      }
    }

    /** How many of {@code backends} may be ejected at once. */
    public int maxEjected(int backends) {
      return Math.max(1, backends * maxEjectionPercent / 100);
    }

    /** How long the {@code n}-th ejection in a row lasts (n from 1). */
    public Duration ejectionTime(int n) {
      Duration d = baseEjectionTime.multipliedBy(Math.max(1, n));
      return d.compareTo(MAX_EJECTION_TIME) > 0 ? MAX_EJECTION_TIME : d;
    }
  }
}
