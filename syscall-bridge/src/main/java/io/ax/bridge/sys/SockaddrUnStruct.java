package io.ax.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct sockaddr_un} (unix(7)): 110 bytes, a family and a path of at most 107 bytes plus
 * its terminating NUL. The address length given to bind(2) or connect(2) is
 * {@code offsetof(sun_path) + strlen + 1}. Stateless: the segments are the caller's.
 */
final class SockaddrUnStruct {
  static final int PATH_SIZE = 108;
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_SHORT.withName("sun_family"),
      MemoryLayout.sequenceLayout(PATH_SIZE, JAVA_BYTE).withName("sun_path"));
  static final long SIZE = LAYOUT.byteSize();
  static final long PATH = LAYOUT.byteOffset(groupElement("sun_path"));

  private static final VarHandle FAMILY = LAYOUT.varHandle(groupElement("sun_family"));

  private SockaddrUnStruct() {}

  /**
   * An AF_UNIX address for {@code path} (no NUL inside, shorter than {@link #PATH_SIZE}); its
   * length for bind(2) is {@link #length}.
   */
  static MemorySegment allocate(SegmentAllocator allocator, byte[] path) {
    if (path.length >= PATH_SIZE) {
      throw new IllegalArgumentException("sun_path: " + path.length + " bytes, at most " + (PATH_SIZE - 1));
    }
    MemorySegment addr = allocator.allocate(LAYOUT);
    FAMILY.set(addr, 0L, (short) Sys.AF_UNIX);
    MemorySegment.copy(path, 0, addr, JAVA_BYTE, PATH, path.length);
    return addr; // zeroed: the NUL is there
  }

  /** The address length for a path of {@code pathBytes} bytes, its NUL included. */
  static int length(int pathBytes) {
    return (int) PATH + pathBytes + 1;
  }

  static int family(MemorySegment addr) {
    return (short) FAMILY.get(addr, 0L);
  }
}
