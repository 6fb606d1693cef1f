package io.ax.core.mesh;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.lb.ConnectionCounts;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection counts from the kernel's socket table, plus the connects the daemon started since
 * the table was last read. Apps' sockets are the daemon's, in its network namespace, so the
 * table it reads holds them all.
 *
 * <p>The connect decision never reads the table: {@link #openTo} answers from the last published
 * counts and, when they are older than the refresh interval, asks for a refresh and returns at
 * once. A refresh runs on the refresher (a new virtual thread in the daemon), never more than
 * one at a time: requests while one is pending or running are dropped. An idle daemon (no
 * least-connections pick) reads nothing.
 *
 * <p>Thread-safe. The published counts are an immutable snapshot swapped through an
 * {@link AtomicReference}, written only by the one running refresh; the connects since are
 * atomic counters in a map swapped when a refresh starts (a connect made during the read may be
 * counted twice until the next one). The failure log's rate-limit fields are confined to the
 * running refresh (the {@code refreshing} flag orders one refresh after the other).
 */
public final class KernelConnectionCounts implements ConnectionCounts {
  private static final Logger log = LoggerFactory.getLogger(KernelConnectionCounts.class);

  /**
   * How often the kernel's table is read at most. 100 ms: a dump of a few thousand sockets costs
   * a millisecond or so, a connection that matters for balancing lives longer than that, and
   * connects in between are counted by the daemon itself.
   */
  public static final Duration DEFAULT_REFRESH = Duration.ofMillis(100);

  /**
   * How often a failing read is logged at most. 60 s: a read is tried every refresh interval
   * while least connections is used, and a broken netlink socket stays broken; one line a
   * minute says so without flooding the log.
   */
  public static final Duration FAILURE_LOG_INTERVAL = Duration.ofSeconds(60);

  /** Reads the kernel's counts: open connections per peer address. May block (a netlink dump). */
  @FunctionalInterface
  public interface Source {
    Map<Inet4Endpoint, Integer> read() throws Exception;
  }

  /** The daemon's refresher: each refresh on a new virtual thread. */
  public static Executor virtualThreads() {
    return task -> Thread.ofVirtual().name("ax-conn-counts").start(task);
  }

  private record Reading(Map<Inet4Endpoint, Integer> counts, long atNanos) {}

  private final Source source;
  private final long refreshNanos;
  private final LongSupplier nanoClock;
  private final Executor refresher;
  private final AtomicReference<Reading> last;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private final AtomicReference<ConcurrentHashMap<Inet4Endpoint, AtomicInteger>> since = new AtomicReference<>(new ConcurrentHashMap<>());
  // Confined to the running refresh.
  private boolean everWarned;
  private long lastWarnNanos;
  private int failuresSinceWarn;
  private boolean warnedThisStreak;

  /**
   * @param nanoClock {@link System#nanoTime} outside tests
   * @param refresher runs each refresh; {@link #virtualThreads()} outside tests
   */
  public KernelConnectionCounts(Source source, Duration refresh, LongSupplier nanoClock, Executor refresher) {
    this.source = Objects.requireNonNull(source, "source");
    this.refreshNanos = Objects.requireNonNull(refresh, "refresh").toNanos();
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.refresher = Objects.requireNonNull(refresher, "refresher");
    if (refreshNanos <= 0) {
      throw new IllegalArgumentException("refresh must be positive, got " + refresh);
    }
    // Nothing read yet: no connections, and already due for a read.
    this.last = new AtomicReference<>(new Reading(Map.of(), nanoClock.getAsLong() - refreshNanos));
  }

  @Override
  public int openTo(Inet4Endpoint address) {
    if (nanoClock.getAsLong() - last.get().atNanos() >= refreshNanos) {
      requestRefresh();
    }
    Reading r = last.get(); // a refresher that runs in the caller has published already
    AtomicInteger mine = since.get().get(address);
    return r.counts().getOrDefault(address, 0) + (mine == null ? 0 : mine.get());
  }

  /**
   * Reads the kernel's table now, on the caller's thread, and counts nothing twice: a connection
   * limit must not refuse a connect for one that the last reading and the connects since both
   * hold. A failed read counts as the last reading plus the connects since.
   */
  @Override
  public int openNow(java.util.Collection<Inet4Endpoint> addresses) {
    Map<Inet4Endpoint, Integer> now;
    try {
      now = source.read();
    } catch (Exception e) {
      log.debug("[lb] cannot read the kernel's connection counts for a limit: {}", e.toString());
      return ConnectionCounts.super.openNow(addresses);
    }
    int n = 0;
    for (Inet4Endpoint a : addresses) {
      n += now.getOrDefault(a, 0);
    }
    return n;
  }

  @Override
  public void connecting(Inet4Endpoint address) {
    since.get().computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
  }

  private void requestRefresh() {
    if (!refreshing.compareAndSet(false, true)) {
      return; // one is pending or running
    }
    try {
      refresher.execute(this::refresh);
    } catch (RuntimeException e) {
      refreshing.set(false);
      log.warn("[lb] cannot start reading the kernel's connection counts: {}", e.toString());
    }
  }

  private void refresh() {
    try {
      long started = nanoClock.getAsLong();
      Reading old = last.get();
      ConcurrentHashMap<Inet4Endpoint, AtomicInteger> previous = since.getAndSet(new ConcurrentHashMap<>());
      try {
        last.set(new Reading(Map.copyOf(source.read()), started));
        if (warnedThisStreak) {
          log.info("[lb] reading the kernel's connection counts again");
          warnedThisStreak = false;
        }
      } catch (Exception e) {
        // Keep balancing on what was known, with the connects since it; retry after an interval.
        ConcurrentHashMap<Inet4Endpoint, AtomicInteger> current = since.get();
        previous.forEach((a, n) -> current.computeIfAbsent(a, k -> new AtomicInteger()).addAndGet(n.get()));
        last.set(new Reading(old.counts(), started));
        warnRateLimited(e, started);
      }
    } finally {
      refreshing.set(false);
    }
  }

  private void warnRateLimited(Exception e, long now) {
    if (everWarned && now - lastWarnNanos < FAILURE_LOG_INTERVAL.toNanos()) {
      failuresSinceWarn++;
      return;
    }
    log.warn(
        "[lb] cannot read the kernel's connection counts, least connections uses the last ones ({} more failures since the last warning): {}",
        failuresSinceWarn, e.toString());
    everWarned = true;
    warnedThisStreak = true;
    lastWarnNanos = now;
    failuresSinceWarn = 0;
  }
}
