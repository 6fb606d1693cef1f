package io.ax.core.lb;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What a policy may use for one pick: the key of the balanced set (a vservice name, or the
 * service address of an implicit vservice) and the balancer memory. Policies that need the
 * client (consistent hash) or live counts (least connections) will find them here.
 */
public record PickContext(String key, LbState state) {
  public PickContext {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(state, "state");
  }

  RandomGenerator random() {
    return state.random();
  }
}
