package io.ax.core.lb;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reproducible {@link LbState} for tests: round-robin tickets and smooth weighted memories in
 * plain maps, rings built afresh, the connection counts given, and randomness from a
 * {@link SplittableRandom} with a known seed. Not thread-safe (tests pick on one thread).
 *
 * <p>{@link #fromLoggedSeed} takes the seed from the system property {@code ax.test.seed} when it
 * is set (to replay a failure), otherwise from the clock, and logs it either way.
 */
public final class SeededLbState implements LbState {
  private static final Logger log = LoggerFactory.getLogger(SeededLbState.class);

  private final long seed;
  private final SplittableRandom random;
  private final Map<String, Long> tickets = new HashMap<>();
  private final Map<String, SmoothWeighted> smooth = new HashMap<>();
  private final ConnectionCounts connections;

  public SeededLbState(long seed) {
    this(seed, ConnectionCounts.NONE);
  }

  public SeededLbState(long seed, ConnectionCounts connections) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    this.connections = connections;
  }

  /** A state whose seed is logged under {@code what}, so a failing run can be replayed. */
  public static SeededLbState fromLoggedSeed(String what) {
    return fromLoggedSeed(what, ConnectionCounts.NONE);
  }

  /** The same, with connection counts for least connections. */
  public static SeededLbState fromLoggedSeed(String what, ConnectionCounts connections) {
    String fixed = System.getProperty("ax.test.seed");
    long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
    log.info("[lb-test {}] random seed {} (replay with -Dax.test.seed={})", what, seed, seed);
    return new SeededLbState(seed, connections);
  }

  public long seed() {
    return seed;
  }

  @Override
  public long nextTicket(String key) {
    long next = tickets.getOrDefault(key, 0L);
    tickets.put(key, next + 1);
    return next;
  }

  @Override
  public SmoothWeighted smoothWeighted(String key) {
    return smooth.computeIfAbsent(key, k -> new SmoothWeighted());
  }

  @Override
  public HashRing ring(HashRing.Shape shape) {
    return HashRing.of(shape);
  }

  @Override
  public ConnectionCounts connections() {
    return connections;
  }

  @Override
  public RandomGenerator random() {
    return random;
  }
}
