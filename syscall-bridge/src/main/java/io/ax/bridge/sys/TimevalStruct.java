package io.ax.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct timeval} (gettimeofday(2); SO_RCVTIMEO in socket(7)): 16 bytes on x86_64,
 * seconds and microseconds, both 64-bit. Stateless: the segments are the caller's.
 */
final class TimevalStruct {
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_LONG.withName("tv_sec"),
      JAVA_LONG.withName("tv_usec"));
  static final int SIZE = (int) LAYOUT.byteSize();

  private static final VarHandle SEC = LAYOUT.varHandle(groupElement("tv_sec"));
  private static final VarHandle USEC = LAYOUT.varHandle(groupElement("tv_usec"));

  private TimevalStruct() {}

  /** A timeval of {@code seconds} and {@code micros}. */
  static MemorySegment allocate(SegmentAllocator allocator, long seconds, long micros) {
    MemorySegment tv = allocator.allocate(LAYOUT);
    SEC.set(tv, 0L, seconds);
    USEC.set(tv, 0L, micros);
    return tv;
  }

  static long seconds(MemorySegment tv) {
    return (long) SEC.get(tv, 0L);
  }

  static long micros(MemorySegment tv) {
    return (long) USEC.get(tv, 0L);
  }
}
