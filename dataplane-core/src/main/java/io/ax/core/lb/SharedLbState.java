package io.ax.core.lb;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * The daemon's {@link LbState}: one atomic counter and one smooth weighted round-robin memory
 * per key, a bounded cache of hash rings, the connection counts it is given, and the calling
 * thread's {@link ThreadLocalRandom}, and the node's {@link OutlierDetector}. Thread-safe. The memory of deleted vservices is dropped by
 * {@link #forget}.
 */
public final class SharedLbState implements LbState {
  /**
   * Rings kept: one per consistent-hash vservice (or subset) and per label view of it. A ring is
   * at most {@link HashRing#MAX_POINTS} points (about 200 KB), so this bounds them to ~50 MB;
   * one not in the cache is rebuilt in well under a millisecond for a hundred backends.
   */
  static final int MAX_RINGS = 256;

  private final ConcurrentHashMap<String, AtomicLong> tickets = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, SmoothWeighted> smooth = new ConcurrentHashMap<>();
  private final Cache<HashRing.Shape, HashRing> rings = Caffeine.newBuilder().maximumSize(MAX_RINGS).build();
  private final ConnectionCounts connections;
  private final OutlierDetector outliers = new OutlierDetector(System::nanoTime);

  public SharedLbState(ConnectionCounts connections) {
    this.connections = Objects.requireNonNull(connections, "connections");
  }

  /** Without connection counts: least connections sees every backend idle. */
  public SharedLbState() {
    this(ConnectionCounts.NONE);
  }

  @Override
  public long nextTicket(String key) {
    return tickets.computeIfAbsent(key, k -> new AtomicLong()).getAndIncrement();
  }

  @Override
  public SmoothWeighted smoothWeighted(String key) {
    return smooth.computeIfAbsent(key, k -> new SmoothWeighted());
  }

  @Override
  public HashRing ring(HashRing.Shape shape) {
    return rings.get(shape, HashRing::of);
  }

  @Override
  public ConnectionCounts connections() {
    return connections;
  }

  @Override
  public OutlierDetector outliers() {
    return outliers;
  }

  @Override
  public RandomGenerator random() {
    return ThreadLocalRandom.current();
  }

  /** Drops the memory of a key that no longer exists (and of its subsets, {@code key/...}). */
  public void forget(String key) {
    tickets.remove(key);
    smooth.remove(key);
    // Subsets are key/NAME, locality groups key#GROUP (and key/NAME#GROUP).
    String prefix = key + "/";
    String groups = key + "#";
    tickets.keySet().removeIf(k -> k.startsWith(prefix) || k.startsWith(groups));
    smooth.keySet().removeIf(k -> k.startsWith(prefix) || k.startsWith(groups));
    outliers.forget(key);
  }
}
