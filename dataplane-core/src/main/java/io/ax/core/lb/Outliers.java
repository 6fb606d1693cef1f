package io.ax.core.lb;

import io.ax.bridge.net.Inet4Endpoint;

/**
 * Which backends outlier detection has ejected, as the connect decision asks: an ejected backend
 * is dialed only after every other one failed. Implementations are thread-safe and quick.
 */
@FunctionalInterface
public interface Outliers {
  /**
   * Whether {@code target} is ejected now from what {@code key} (a vservice name, or
   * {@code name/subset}) balances over.
   */
  boolean ejected(String key, Inet4Endpoint target);

  /** Ejects nothing. */
  Outliers NEVER = (key, target) -> false;
}
