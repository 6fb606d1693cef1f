package io.ax.core.lb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A consistent-hash ring (Karger et al.; Envoy's RING_HASH without its tuning knobs): each
 * member owns points on a 64-bit circle, {@link #POINTS_PER_MEMBER} for the heaviest and
 * proportionally fewer (at least one) for lighter ones; a key belongs to the member owning the
 * first point at or after the key's hash. A member's points depend only on its id and its
 * weight relative to the heaviest, so adding a member of equal weight to n others takes about
 * 1/(n+1) of the keys, all of them to the new member, and moves no other key.
 *
 * <p>Ring hash rather than Maglev: its failover order (walk on along the circle) is as stable as
 * its pick, and it needs no prime table size. Immutable and thread-safe.
 */
public final class HashRing {
  /** Envoy's default minimum ring is 1024 points; 128 per member gives a spread of about 9%. */
  static final int POINTS_PER_MEMBER = 128;
  /** A bound on one ring's memory (12 bytes a point): beyond it points are scaled down. */
  static final int MAX_POINTS = 16_384;

  /** Who is on a ring: ids (distinct, such as addresses) with their weights. */
  public record Shape(List<String> ids, List<Integer> weights) {
    public Shape {
      ids = List.copyOf(ids);
      weights = List.copyOf(weights);
      if (ids.size() != weights.size() || ids.isEmpty()) {
        throw new IllegalArgumentException("need as many weights as ids, and at least one");
      }
    }
  }

  private final int members;
  private final long[] hashes;
  private final int[] owners;

  private HashRing(int members, long[] hashes, int[] owners) {
    this.members = members;
    this.hashes = hashes;
    this.owners = owners;
  }

  /** Builds the ring of {@code shape}: O(points log points). */
  public static HashRing of(Shape shape) {
    Objects.requireNonNull(shape, "shape");
    int n = shape.ids().size();
    long maxWeight = shape.weights().stream().mapToLong(Integer::longValue).max().orElseThrow();
    int[] points = new int[n];
    long total = 0;
    for (int i = 0; i < n; i++) {
      points[i] = (int) Math.max(1, Math.round((double) POINTS_PER_MEMBER * shape.weights().get(i) / maxWeight));
      total += points[i];
    }
    if (total > MAX_POINTS) {
      double scale = (double) MAX_POINTS / total;
      total = 0;
      for (int i = 0; i < n; i++) {
        points[i] = (int) Math.max(1, Math.floor(points[i] * scale));
        total += points[i];
      }
    }
    long[] packedHash = new long[(int) total];
    int[] packedOwner = new int[(int) total];
    Integer[] order = new Integer[(int) total];
    int k = 0;
    for (int i = 0; i < n; i++) {
      long base = hash(shape.ids().get(i));
      for (int j = 0; j < points[i]; j++) {
        packedHash[k] = mix(base + 0x9e3779b97f4a7c15L * (j + 1));
        packedOwner[k] = i;
        order[k] = k;
        k++;
      }
    }
    // Sort by unsigned hash, ties by owner, so the ring does not depend on the members' order.
    Arrays.sort(order, (a, b) -> {
      int c = Long.compareUnsigned(packedHash[a], packedHash[b]);
      return c != 0 ? c : shape.ids().get(packedOwner[a]).compareTo(shape.ids().get(packedOwner[b]));
    });
    long[] hashes = new long[k];
    int[] owners = new int[k];
    for (int i = 0; i < k; i++) {
      hashes[i] = packedHash[order[i]];
      owners[i] = packedOwner[order[i]];
    }
    return new HashRing(n, hashes, owners);
  }

  /** How many points the ring has. */
  int size() {
    return hashes.length;
  }

  /**
   * The members in the order a key visits them: the owner of the key's point first, then each
   * further member as the walk along the circle meets it. Indices into the shape's ids.
   */
  public int[] order(long keyHash) {
    int start = firstAtOrAfter(keyHash);
    int[] out = new int[members];
    boolean[] seen = new boolean[members];
    int found = 0;
    for (int i = 0; i < hashes.length && found < members; i++) {
      int owner = owners[(start + i) % hashes.length];
      if (!seen[owner]) {
        seen[owner] = true;
        out[found++] = owner;
      }
    }
    return out;
  }

  private int firstAtOrAfter(long keyHash) {
    int lo = 0;
    int hi = hashes.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(hashes[mid], keyHash) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == hashes.length ? 0 : lo;
  }

  /** A 64-bit hash of a string: FNV-1a over its UTF-8 bytes, then a SplitMix64 finish. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** SplitMix64's finaliser: spreads every input bit over the output. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
