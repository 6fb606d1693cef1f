package io.ax.core.ports;

import java.util.BitSet;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Hands out host ports from the {@code --ports} space for apps' listening sockets. Next-fit: the
 * search starts after the last port given, so a port just released (whose old connections may
 * sit in TIME_WAIT) is reused last. Thread-safe (synchronized: allocations happen on bind, far
 * less often than connect decisions).
 */
public final class PortPool {
  private final PortRanges ranges;
  private final BitSet used = new BitSet(65536);
  private int cursor;

  public PortPool(PortRanges ranges) {
    this.ranges = Objects.requireNonNull(ranges, "ranges");
    this.cursor = ranges.ranges().getFirst().first() - 1; // the first allocation gives the first port
  }

  /** The next free port, or empty when the whole space is in use. */
  public synchronized OptionalInt allocate() {
    int total = ranges.size();
    int port = cursor;
    for (int tried = 0; tried < total; tried++) {
      port = nextInSpace(port);
      if (!used.get(port)) {
        used.set(port);
        cursor = port;
        return OptionalInt.of(port);
      }
    }
    return OptionalInt.empty();
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
