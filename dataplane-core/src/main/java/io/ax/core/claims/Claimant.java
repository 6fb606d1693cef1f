package io.ax.core.claims;

import java.util.List;
import java.util.Objects;

/**
 * Who registers an app, as the kernel says ({@code SO_PEERCRED}, {@code SO_PEERGROUPS} of the
 * launcher's connection): never what the launcher claims.
 *
 * @param uid the user
 * @param gid the primary group
 * @param groups the supplementary groups
 */
public record Claimant(int uid, int gid, List<Integer> groups) {
  public Claimant {
    groups = List.copyOf(Objects.requireNonNull(groups, "groups"));
  }

  public boolean isRoot() {
    return uid == 0;
  }

  /** Whether the claimant is in group {@code g}, as primary or supplementary group. */
  public boolean inGroup(int g) {
    return gid == g || groups.contains(g);
  }
}
