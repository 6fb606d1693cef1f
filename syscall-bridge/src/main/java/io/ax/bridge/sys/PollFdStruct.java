package io.ax.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct pollfd} (poll(2), asm-generic/poll.h): 8 bytes; poll(2) takes an array of them.
 * Stateless: the segments are the caller's, indexed by array element.
 */
public final class PollFdStruct {
  public static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_INT.withName("fd"),
      JAVA_SHORT.withName("events"),
      JAVA_SHORT.withName("revents"));
  public static final long SIZE = LAYOUT.byteSize();

  public static final short POLLIN = 0x1;
  public static final short POLLERR = 0x8;
  public static final short POLLHUP = 0x10;
  public static final short POLLNVAL = 0x20;

  // Coordinates: (segment, base offset, element index).
  private static final VarHandle FD = LAYOUT.arrayElementVarHandle(groupElement("fd"));
  private static final VarHandle EVENTS = LAYOUT.arrayElementVarHandle(groupElement("events"));
  private static final VarHandle REVENTS = LAYOUT.arrayElementVarHandle(groupElement("revents"));

  private PollFdStruct() {}

  /** An array of {@code count} zeroed entries. */
  public static MemorySegment allocate(SegmentAllocator allocator, int count) {
    return allocator.allocate(LAYOUT, count);
  }

  /** Sets entry {@code i} to wait for {@code events} on {@code fd}, with {@code revents} cleared. */
  public static void set(MemorySegment fds, long i, int fd, short events) {
    FD.set(fds, 0L, i, fd);
    EVENTS.set(fds, 0L, i, events);
    REVENTS.set(fds, 0L, i, (short) 0);
  }

  public static int fd(MemorySegment fds, long i) {
    return (int) FD.get(fds, 0L, i);
  }

  public static short events(MemorySegment fds, long i) {
    return (short) EVENTS.get(fds, 0L, i);
  }

  /** What the kernel reported for entry {@code i}. */
  public static short revents(MemorySegment fds, long i) {
    return (short) REVENTS.get(fds, 0L, i);
  }
}
