package io.ax.core.lb;

import io.ax.core.model.Backend;
import io.ax.core.net.HostPort;
import java.util.List;
import java.util.Objects;

/**
 * One thing a policy may pick: the item handed back, the real address it stands for (what
 * consistent hashing places on its ring and what connection counts are kept by) and its weight.
 *
 * @param weight 1 to {@link Backend#MAX_WEIGHT}
 */
public record Candidate<T>(T item, HostPort address, int weight) {
  public Candidate {
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(address, "address");
    Backend.checkWeight("weight", weight);
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
