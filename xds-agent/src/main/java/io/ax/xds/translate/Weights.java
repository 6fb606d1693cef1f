package io.ax.xds.translate;

/**
 * Brings weights into the daemon's range. Envoy's weights are uint32 (and a weighted_clusters
 * split may sum several of them), but the daemon takes 1 to {@link #MAX} per backend and per
 * subset, which keeps the sums of its smooth round robin small. Weights above the range are all
 * divided by one factor, so the shares stay as they were (to within one part in a million). Pure.
 */
final class Weights {
  /** The daemon's limit for a backend's and a subset's weight. */
  static final long MAX = 1_000_000;

  private Weights() {}

  /** Whether {@link #scale} changes anything. */
  static boolean needsScaling(long[] weights) {
    for (long w : weights) {
      if (w > MAX) {
        return true;
      }
    }
    return false;
  }

  /** Each weight divided by the factor that brings the largest to at most {@link #MAX}; at least 1. */
  static int[] scale(long[] weights) {
    long largest = 1;
    for (long w : weights) {
      largest = Math.max(largest, w);
    }
    double factor = largest <= MAX ? 1.0 : (double) largest / MAX;
    int[] out = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      out[i] = (int) Math.max(1, Math.min(MAX, Math.round(weights[i] / factor)));
    }
    return out;
  }
}
