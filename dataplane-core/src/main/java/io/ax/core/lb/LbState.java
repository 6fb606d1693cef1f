package io.ax.core.lb;

import java.util.random.RandomGenerator;

/**
 * The mutable memory of the load balancers, kept apart so the policies and the connect decision
 * stay pure functions of their inputs. Implementations are thread-safe: connects of many apps
 * are decided at once.
 */
public interface LbState {
  /** The next ticket of a round-robin sequence named by {@code key}: 0, 1, 2... */
  long nextTicket(String key);

  /** The smooth weighted round-robin memory of the sequence named by {@code key}. */
  SmoothWeighted smoothWeighted(String key);

  /** The hash ring of {@code shape}, built once and shared while it is in use. */
  HashRing ring(HashRing.Shape shape);

  /** Open connections per address, for least connections. */
  ConnectionCounts connections();

  /** Which backends outlier detection has ejected; none by default. */
  default Outliers outliers() {
    return Outliers.NEVER;
  }

  /** The randomness of random policies. */
  RandomGenerator random();
}
