package io.ax.core.claims;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The node's user and group names, as a claims policy names them. Implementations are
 * thread-safe; a lookup may read files, so callers ask only for users other than root.
 */
public interface Accounts {
  /** The login name of {@code uid}, if the node has one. */
  Optional<String> userName(int uid);

  /** The id of the group called {@code name}, if the node has one. */
  OptionalInt groupId(String name);
}
