package io.ax.core.lb;

import io.ax.core.field.InvalidFieldException;
import java.time.Duration;
import java.util.Objects;

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
