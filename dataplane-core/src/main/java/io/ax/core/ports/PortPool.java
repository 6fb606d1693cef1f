package io.ax.core.ports;

import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

/**
 * Hands out host ports from the {@code --ports} space for apps' listening sockets. Next-fit: the
 * search starts after the last port given, so a port just released (whose old connections may
 * sit in TIME_WAIT) is reused last.
 *
 * <p>The pool only knows its own allocations; other programs on the node (native servers,
 * another daemon's apps, connections in TIME_WAIT) may hold a port in the space. A port that the
 * kernel found taken is reported with {@link #busy} and is skipped for {@link #DEFAULT_BUSY_FOR}
 * rather than until someone says it is free again: nobody will, since its holder is outside ax,
 * so a cool-down is the only way it comes back. When every other port is in use, a busy port
 * is still given (it may be free by now) rather than refusing the bind.
 *
 * <p>Thread-safe (synchronized: allocations happen on bind, far less often than connect
 * decisions). Time comes from the injected nanosecond clock.
 */
public final class PortPool {
  /**
   * How long a port found taken outside ax is skipped. A minute: Linux keeps TIME_WAIT for 60 s
   * (TCP_TIMEWAIT_LEN), a burst of app starts (a test run, a benchmark's setup) is over by then,
   * and a port whose outside holder has gone is usable again soon after.
   */
  public static final Duration DEFAULT_BUSY_FOR = Duration.ofSeconds(60);

  private final PortRanges ranges;
  private final BitSet used = new BitSet(65536);
  // Ports found taken outside ax, with the clock reading until which they are skipped. At most
  // one entry per port of the space; expired entries go when the search meets them.
  private final Map<Integer, Long> busyUntil = new HashMap<>();
  private final long busyForNanos;
  private final LongSupplier nanoClock;
  private int cursor;

  /** A pool on the system clock that skips busy ports for {@link #DEFAULT_BUSY_FOR}. */
  public PortPool(PortRanges ranges) {
    this(ranges, DEFAULT_BUSY_FOR, System::nanoTime);
  }

  /**
   * @param busyFor how long a port reported with {@link #busy} is skipped (zero: not at all)
   * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime} outside tests)
   */
  public PortPool(PortRanges ranges, Duration busyFor, LongSupplier nanoClock) {
    this.ranges = Objects.requireNonNull(ranges, "ranges");
    Objects.requireNonNull(busyFor, "busyFor");
    if (busyFor.isNegative()) {
      throw new IllegalArgumentException("busyFor must not be negative: " + busyFor);
    }
    this.busyForNanos = busyFor.toNanos();
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.cursor = ranges.ranges().getFirst().first() - 1; // the first allocation gives the first port
  }

  /**
   * The next free port that is not {@linkplain #busy busy}; else the first busy one (its holder
   * may have gone); empty when the whole space is in use.
   */
  public synchronized OptionalInt allocate() {
    int total = ranges.size();
    long now = nanoClock.getAsLong();
    int port = cursor;
    int firstBusy = -1;
    for (int tried = 0; tried < total; tried++) {
      port = nextInSpace(port);
      if (used.get(port)) {
        continue;
      }
      Long until = busyUntil.get(port);
      if (until != null && now - until < 0) {
        if (firstBusy < 0) {
          firstBusy = port;
        }
        continue;
      }
      busyUntil.remove(port);
      return take(port);
    }
    if (firstBusy >= 0) {
      busyUntil.remove(firstBusy);
      return take(firstBusy);
    }
    return OptionalInt.empty();
  }

  private OptionalInt take(int port) {
    used.set(port);
    cursor = port;
    return OptionalInt.of(port);
  }

  /**
   * Gives back a port that the kernel refused because something outside the pool holds it; it is
   * skipped for the pool's busy time. Harmless for ports outside the space.
   */
  public synchronized void busy(int port) {
    if (ranges.contains(port)) {
      used.clear(port);
      busyUntil.put(port, nanoClock.getAsLong() + busyForNanos);
    }
  }

  /** Marks a port taken (restoring state); false when it is outside the space or already taken. */
  public synchronized boolean reserve(int port) {
    if (!ranges.contains(port) || used.get(port)) {
      return false;
    }
    used.set(port);
    return true;
  }

  /** Gives a port back; releasing a free port is harmless. */
  public synchronized void release(int port) {
    if (ranges.contains(port)) {
      used.clear(port);
    }
  }

  public synchronized int inUse() {
    return used.cardinality();
  }

  public PortRanges ranges() {
    return ranges;
  }

  /** How long a port reported with {@link #busy} is skipped. */
  public Duration busyFor() {
    return Duration.ofNanos(busyForNanos);
  }

  /** The port after {@code port} in the space, wrapping from the end to the start. */
  private int nextInSpace(int port) {
    for (PortRange r : ranges.ranges()) {
      if (port < r.first()) {
        return r.first();
      }
      if (port < r.last()) {
        return port + 1;
      }
    }
    return ranges.ranges().getFirst().first();
  }
}
