package io.ax.core.mesh;

import io.ax.core.lb.ConnectionCounts;
import io.ax.core.net.HostPort;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection counts from the kernel's socket table, read at most once per refresh interval and
 * only when a least-connections pick asks (an idle daemon reads nothing), plus the connects the
 * daemon started since the last read. Apps' sockets are the daemon's, in its network namespace,
 * so the table it reads holds them all.
 *
 * <p>Thread-safe: the last read is an immutable map behind a volatile reference; one caller at a
 * time reads the table while the others use the previous counts; the connects since are atomic
 * counters in a map swapped when a read starts (a connect made during the read may be counted
 * twice until the next one, never lost).
 */
public final class KernelConnectionCounts implements ConnectionCounts {
  private static final Logger log = LoggerFactory.getLogger(KernelConnectionCounts.class);

  /**
   * How often the kernel's table is read at most. 100 ms: a dump of a few thousand sockets costs
   * a millisecond or so, a connection that matters for balancing lives longer than that, and
   * connects in between are counted by the daemon itself.
   */
  public static final Duration DEFAULT_REFRESH = Duration.ofMillis(100);

  /** Reads the kernel's counts: open connections per peer address. */
  @FunctionalInterface
  public interface Source {
    Map<HostPort, Integer> read() throws Exception;
  }

  private record Reading(Map<HostPort, Integer> counts, long atNanos) {}

  private final Source source;
  private final long refreshNanos;
  private final LongSupplier nanoClock;
  private final ReentrantLock reading = new ReentrantLock();
  private volatile Reading last;
  private final AtomicReference<ConcurrentHashMap<HostPort, AtomicInteger>> since = new AtomicReference<>(new ConcurrentHashMap<>());
  private volatile boolean warned;

  /**
   * @param nanoClock {@link System#nanoTime} outside tests
   */
  public KernelConnectionCounts(Source source, Duration refresh, LongSupplier nanoClock) {
    this.source = Objects.requireNonNull(source, "source");
    this.refreshNanos = Objects.requireNonNull(refresh, "refresh").toNanos();
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    if (refreshNanos <= 0) {
      throw new IllegalArgumentException("refresh must be positive, got " + refresh);
    }
  }

  @Override
  public int openTo(HostPort address) {
    Reading r = fresh();
    AtomicInteger mine = since.get().get(address);
    return r.counts().getOrDefault(address, 0) + (mine == null ? 0 : mine.get());
  }

  @Override
  public void connecting(HostPort address) {
    since.get().computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
  }

  private Reading fresh() {
    Reading r = last;
    long now = nanoClock.getAsLong();
    if (r != null && now - r.atNanos() < refreshNanos) {
      return r;
    }
    if (!reading.tryLock()) {
      // Another caller is reading: use what there is (nothing yet counts as no connections).
      return r != null ? r : new Reading(Map.of(), now);
    }
    try {
      r = last;
      if (r != null && now - r.atNanos() < refreshNanos) {
        return r;
      }
      ConcurrentHashMap<HostPort, AtomicInteger> previous = since.getAndSet(new ConcurrentHashMap<>());
      Map<HostPort, Integer> counts;
      try {
        counts = Map.copyOf(source.read());
        warned = false;
      } catch (Exception e) {
        // Keep balancing on what was known; say so once per failure streak, not per connect.
        if (!warned) {
          warned = true;
          log.warn("[lb] cannot read the kernel's connection counts, least connections uses the last ones: {}", e.getMessage());
        }
        counts = r != null ? r.counts() : Map.of();
        since.set(previous);
      }
      Reading next = new Reading(counts, now);
      last = next;
      return next;
    } finally {
      reading.unlock();
    }
  }
}
