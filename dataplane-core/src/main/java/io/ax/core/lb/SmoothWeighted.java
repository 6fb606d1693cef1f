package io.ax.core.lb;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The memory of one smooth weighted round-robin sequence, nginx's algorithm
 * (ngx_http_upstream_round_robin.c): each pick adds every member's weight to its current value,
 * takes the member with the highest current value (the first on a tie) and takes the total off
 * it. Over any run of {@code W} picks (W the sum of the weights) each member is picked exactly
 * its weight's times, and picks are spread out: weights 4 and 1 give {@code a a b a a}.
 *
 * <p>Members are known by id (an address, a subset name), so the memory survives members that
 * come and go, and clients that see different members (the label ACL filters them) share it;
 * a member absent from a pick keeps its value, as nginx keeps that of a peer that is down.
 * Ids not seen for a while are dropped, so memory is bounded by the members in use.
 *
 * <p>Thread-safe: picks are serialised on this object and take O(members).
 */
public final class SmoothWeighted {
  private final Map<Object, Long> current = new HashMap<>();

  /**
   * The index of the next pick among {@code ids} with {@code weights} (same length, weights at
   * least 1). {@code ids} must be distinct.
   */
  public synchronized int next(List<?> ids, int[] weights) {
    if (ids.size() != weights.length || ids.isEmpty()) {
      throw new IllegalArgumentException("need as many weights as ids, and at least one: " + ids.size() + " ids, " + weights.length + " weights");
    }
    long total = 0;
    int best = -1;
    long bestValue = Long.MIN_VALUE;
    for (int i = 0; i < weights.length; i++) {
      long value = current.getOrDefault(ids.get(i), 0L) + weights[i];
      current.put(ids.get(i), value);
      total += weights[i];
      if (value > bestValue) {
        best = i;
        bestValue = value;
      }
    }
    current.put(ids.get(best), bestValue - total);
    if (current.size() > 2 * ids.size() + 16) {
      Set<Object> live = new HashSet<>(ids);
      current.keySet().retainAll(live);
    }
    return best;
  }
}
