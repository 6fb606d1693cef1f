package io.ax.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct epoll_event} (linux/eventpoll.h): {@code __u32 events; __u64 data;}, declared
 * {@code __attribute__((packed))} on x86_64, so 12 bytes with {@code data} at offset 4 (an
 * unaligned 64-bit field). epoll_wait(2) fills an array of them. Stateless: the segments are the
 * caller's, indexed by array element.
 */
public final class EpollEventStruct {
  public static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_INT.withName("events"),
      JAVA_LONG_UNALIGNED.withName("data"));
  public static final long SIZE = LAYOUT.byteSize();

  // Coordinates: (segment, base offset, element index).
  private static final VarHandle EVENTS = LAYOUT.arrayElementVarHandle(groupElement("events"));
  private static final VarHandle DATA = LAYOUT.arrayElementVarHandle(groupElement("data"));

  private EpollEventStruct() {}

  /** An array of {@code count} zeroed events. */
  public static MemorySegment allocate(SegmentAllocator allocator, int count) {
    return allocator.allocate(LAYOUT, count);
  }

  /** Sets event {@code i}: the EPOLL* bits and the caller's 64-bit token. */
  public static void set(MemorySegment events, long i, int bits, long data) {
    EVENTS.set(events, 0L, i, bits);
    DATA.set(events, 0L, i, data);
  }

  /** The EPOLL* bits of event {@code i}. */
  public static int events(MemorySegment events, long i) {
    return (int) EVENTS.get(events, 0L, i);
  }

  /** The token of event {@code i}, as given to epoll_ctl(2). */
  public static long data(MemorySegment events, long i) {
    return (long) DATA.get(events, 0L, i);
  }
}
