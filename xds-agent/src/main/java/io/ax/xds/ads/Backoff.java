package io.ax.xds.ads;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter, as a pure function of the attempt number: attempt 0 waits about
 * {@code initial}, each next attempt {@code multiplier} times longer, never more than {@code max};
 * the delay is then spread by up to {@code ±jitter} of itself so that many agents that lost the
 * same istiod do not come back in step (gRPC's connection-backoff spec uses the same ±20%:
 * https://github.com/grpc/grpc/blob/master/doc/connection-backoff.md).
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {

  /** Reconnects to the control plane: 100 ms doubling to 30 s, ±20%. */
  public static final Backoff RECONNECT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), 2.0, 0.2);

  public Backoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial: " + initial + " must be positive");
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max: " + max + " must be at least initial " + initial);
    }
    if (!(multiplier >= 1.0)) {
      throw new IllegalArgumentException("multiplier: " + multiplier + " must be at least 1");
    }
    if (!(jitter >= 0.0 && jitter < 1.0)) {
      throw new IllegalArgumentException("jitter: " + jitter + " must be in [0, 1)");
    }
  }

  /** The delay before attempt {@code attempt} (0 for the first retry). */
  public Duration delay(int attempt, RandomGenerator random) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt: " + attempt + " must not be negative");
    }
    double nanos = initial.toNanos();
    double cap = max.toNanos();
    for (int i = 0; i < attempt && nanos < cap; i++) {
      nanos *= multiplier;
    }
    nanos = Math.min(nanos, cap);
    double spread = jitter == 0.0 ? 1.0 : 1.0 - jitter + 2.0 * jitter * random.nextDouble();
    return Duration.ofNanos(Math.round(Math.min(nanos * spread, cap)));
  }
}
