package io.ax.core.lb;

import io.ax.core.net.Ipv4;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What a policy may use for one pick: the key of the balanced set (a vservice name, a
 * vservice's subset {@code name/subset}, or the service address of an implicit vservice), the
 * client app's IP (what consistent hashing hashes) and the balancer memory.
 */
public record PickContext(String key, LbState state, Ipv4 client) {
  public PickContext {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(client, "client");
  }

  /** A pick with no client address (all clients hash alike). */
  public PickContext(String key, LbState state) {
    this(key, state, Ipv4.ANY);
  }

  RandomGenerator random() {
    return state.random();
  }
}
