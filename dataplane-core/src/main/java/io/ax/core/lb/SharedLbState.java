package io.ax.core.lb;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * The daemon's {@link LbState}: one atomic counter per vservice key, and the calling thread's
 * {@link ThreadLocalRandom}. Thread-safe. Counters of deleted vservices are dropped by
 * {@link #forget}.
 */
public final class SharedLbState implements LbState {
  private final ConcurrentHashMap<String, AtomicLong> tickets = new ConcurrentHashMap<>();

  @Override
  public long nextTicket(String key) {
    return tickets.computeIfAbsent(key, k -> new AtomicLong()).getAndIncrement();
  }

  @Override
  public RandomGenerator random() {
    return ThreadLocalRandom.current();
  }

  /** Drops the counter of a key that no longer exists. */
  public void forget(String key) {
    tickets.remove(key);
  }
}
