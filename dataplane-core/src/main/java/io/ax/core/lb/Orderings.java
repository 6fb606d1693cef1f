package io.ax.core.lb;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** The list arithmetic behind the policies; pure and allocation-light. */
final class Orderings {
  private Orderings() {}

  /** The list rotated left by {@code start}: start, start+1, ..., start-1. */
  static <T> List<T> rotated(List<T> items, int start) {
    int n = items.size();
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(items.get((start + i) % n));
    }
    return out;
  }

  /** A uniformly random permutation (Fisher-Yates). */
  static <T> List<T> shuffled(List<T> items, RandomGenerator random) {
    List<T> out = new ArrayList<>(items);
    for (int i = out.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T t = out.get(i);
      out.set(i, out.get(j));
      out.set(j, t);
    }
    return out;
  }
}
