package io.ax.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct cmsghdr} (cmsg(3), linux/socket.h): 16 bytes on x86_64, a {@code size_t} length
 * that counts the header and the data, a level and a type; the data follows at
 * {@code CMSG_LEN(0)}. The CMSG_* macros are here as arithmetic: control data is aligned to
 * {@code sizeof(size_t)}. Stateless: the segments are the caller's.
 */
final class CmsgHdrStruct {
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_LONG.withName("cmsg_len"),
      JAVA_INT.withName("cmsg_level"),
      JAVA_INT.withName("cmsg_type"));
  static final long SIZE = LAYOUT.byteSize();
  private static final long ALIGNMENT = JAVA_LONG.byteSize();

  private static final VarHandle LEN = LAYOUT.varHandle(groupElement("cmsg_len"));
  private static final VarHandle LEVEL = LAYOUT.varHandle(groupElement("cmsg_level"));
  private static final VarHandle TYPE = LAYOUT.varHandle(groupElement("cmsg_type"));

  private CmsgHdrStruct() {}

  /** CMSG_ALIGN: rounds up to the alignment of control data. */
  static long align(long length) {
    return (length + ALIGNMENT - 1) & ~(ALIGNMENT - 1);
  }

  /** CMSG_LEN: the {@code cmsg_len} of a message with {@code dataLength} bytes of data. */
  static long len(long dataLength) {
    return align(SIZE) + dataLength;
  }

  /** CMSG_SPACE: the room a message with {@code dataLength} bytes takes in a control buffer. */
  static long space(long dataLength) {
    return align(SIZE) + align(dataLength);
  }

  /** Writes a header for {@code dataLength} bytes of data; the data is the caller's, at {@link #data}. */
  static void write(MemorySegment cmsg, int level, int type, long dataLength) {
    LEN.set(cmsg, 0L, len(dataLength));
    LEVEL.set(cmsg, 0L, level);
    TYPE.set(cmsg, 0L, type);
  }

  /** {@code cmsg_len} as the kernel (or a sender) wrote it: not yet checked against anything. */
  static long length(MemorySegment cmsg) {
    return (long) LEN.get(cmsg, 0L);
  }

  static int level(MemorySegment cmsg) {
    return (int) LEVEL.get(cmsg, 0L);
  }

  static int type(MemorySegment cmsg) {
    return (int) TYPE.get(cmsg, 0L);
  }

  /** CMSG_DATA for a message of {@code cmsgLength} bytes (at least {@code len(0)}): its data. */
  static MemorySegment data(MemorySegment cmsg, long cmsgLength) {
    return cmsg.asSlice(len(0), cmsgLength - len(0));
  }
}
