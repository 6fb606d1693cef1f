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

  /** The randomness of random policies. */
  RandomGenerator random();
}
