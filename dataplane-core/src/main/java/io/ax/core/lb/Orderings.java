package io.ax.core.lb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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

  /**
   * A weighted random permutation: each item is first with probability weight/total, and so on
   * for the rest (Efraimidis and Spirakis, 2006: sort by an exponential draw divided by the
   * weight, smallest first).
   */
  static <T> List<T> weightedShuffle(List<Candidate<T>> candidates, RandomGenerator random) {
    int n = candidates.size();
    double[] keys = new double[n];
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) {
      keys[i] = random.nextExponential() / candidates.get(i).weight();
      idx[i] = i;
    }
    Arrays.sort(idx, Comparator.comparingDouble(i -> keys[i]));
    List<T> out = new ArrayList<>(n);
    for (int i : idx) {
      out.add(candidates.get(i).item());
    }
    return out;
  }

  /**
   * The power of two choices: the index of the less loaded of two distinct indices drawn at
   * random ({@code counts.length} at least 1); the first drawn on a tie.
   */
  static int twoChoices(int[] counts, RandomGenerator random) {
    int n = counts.length;
    if (n == 1) {
      return 0;
    }
    int a = random.nextInt(n);
    int b = random.nextInt(n - 1);
    if (b >= a) {
      b++;
    }
    return counts[b] < counts[a] ? b : a;
  }

  /** {@code first}, then the other items by ascending count (ties in list order). */
  static <T> List<T> byCountAfter(List<T> items, int[] counts, int first) {
    int n = items.size();
    Integer[] rest = new Integer[n - 1];
    for (int i = 0, k = 0; i < n; i++) {
      if (i != first) {
        rest[k++] = i;
      }
    }
    Arrays.sort(rest, Comparator.comparingInt(i -> counts[i]));
    List<T> out = new ArrayList<>(n);
    out.add(items.get(first));
    for (int i : rest) {
      out.add(items.get(i));
    }
    return out;
  }
}
