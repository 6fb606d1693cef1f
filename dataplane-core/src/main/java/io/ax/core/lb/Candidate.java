package io.ax.core.lb;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.field.InvalidFieldException;
import java.util.List;
import java.util.Objects;

/**
 * One thing a policy may pick: the item handed back, the real address it stands for (what
 * consistent hashing places on its ring and what connection counts are kept by) and its weight.
 *
 * @param weight 1 to {@link #MAX_WEIGHT}
 */
public record Candidate<T>(T item, Inet4Endpoint address, int weight) {
  /**
   * Envoy caps the sum of a locality's weights at 2^32-1; a million per candidate keeps every sum
   * the balancers make (4096 backends at most) well inside a long and the hash ring bounded. A
   * vservice backend's weight has the same bound ({@code Backend.MAX_WEIGHT}).
   */
  public static final int MAX_WEIGHT = 1_000_000;

  public Candidate {
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(address, "address");
    checkWeight("weight", weight);
  }

  /** Checks a weight: 1 to {@link #MAX_WEIGHT}. */
  public static int checkWeight(String field, long weight) {
    if (weight < 1 || weight > MAX_WEIGHT) {
      throw new InvalidFieldException(field, "weight " + weight + " is outside 1-" + MAX_WEIGHT);
    }
    return (int) weight;
  }

  /** Whether every candidate has the same weight (the unweighted, cheaper paths apply). */
  static boolean equalWeights(List<? extends Candidate<?>> candidates) {
    for (int i = 1; i < candidates.size(); i++) {
      if (candidates.get(i).weight() != candidates.getFirst().weight()) {
        return false;
      }
    }
    return true;
  }

  static <T> List<T> items(List<Candidate<T>> candidates) {
    // A loop, not a stream: this runs on every connect while the app waits.
    List<T> items = new java.util.ArrayList<>(candidates.size());
    for (Candidate<T> c : candidates) {
      items.add(c.item());
    }
    return items;
  }
}
