package io.ax.core.cluster;

import java.util.Comparator;
import java.util.Objects;

/**
 * The order of writes to one vservice name across the cluster: a Lamport clock and the node that
 * wrote. Of two writes, the higher clock wins, and of equal clocks the greater node name: every
 * node compares the same way, so concurrent writes to one name (a partition, two users at once)
 * end with the same value everywhere. A node's next write takes a clock above every one it has
 * seen, so a write made after seeing another always wins over it.
 */
record Stamp(long clock, String origin) implements Comparable<Stamp> {
  private static final Comparator<Stamp> ORDER = Comparator.comparingLong(Stamp::clock).thenComparing(Stamp::origin);

  /** What a vservice read from an older state file, with no stamp, gets: it loses to any write. */
  static final Stamp NONE = new Stamp(0, "");

  Stamp {
    Objects.requireNonNull(origin, "origin");
    if (clock < 0) {
      throw new IllegalArgumentException("negative clock " + clock);
    }
  }

  @Override
  public int compareTo(Stamp o) {
    return ORDER.compare(this, o);
  }

  boolean after(Stamp o) {
    return compareTo(o) > 0;
  }

  @Override
  public String toString() {
    return clock + "@" + origin;
  }
}
