package io.ax.core.model;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.OutlierDetection;
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
 * @param localityLb how backends are preferred by locality relative to this node
 */
public record Resilience(Optional<Duration> connectTimeout, OptionalInt maxConnections, Optional<OutlierDetection> outlierDetection, LocalityLb localityLb) {
  public static final Resilience NONE = new Resilience(Optional.empty(), OptionalInt.empty(), Optional.empty());

  /** An hour: Envoy takes any duration, but a connect that waits longer is no timeout at all. */
  public static final Duration MAX_CONNECT_TIMEOUT = Duration.ofHours(1);

  public Resilience {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(maxConnections, "maxConnections");
    Objects.requireNonNull(outlierDetection, "outlierDetection");
    Objects.requireNonNull(localityLb, "localityLb");
    if (connectTimeout.isPresent()) {
      checkTimeout("connect_timeout", connectTimeout.get());
    }
    if (maxConnections.isPresent() && maxConnections.getAsInt() < 1) {
      throw new InvalidFieldException("max_connections", maxConnections.getAsInt() + " is not a connection limit (expected at least 1, or none)");
    }
  }

  /** Without a locality setting. */
  public Resilience(Optional<Duration> connectTimeout, OptionalInt maxConnections, Optional<OutlierDetection> outlierDetection) {
    this(connectTimeout, maxConnections, outlierDetection, LocalityLb.OFF);
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
}
