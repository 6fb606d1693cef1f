package io.ax.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct iovec} (readv(2), linux/uio.h): 16 bytes on x86_64, a base pointer and a length.
 * The base is either our memory (a segment) or an address in another process
 * (process_vm_readv(2)'s remote side). Stateless: the segments are the caller's.
 */
public final class IovecStruct {
  public static final StructLayout LAYOUT = MemoryLayout.structLayout(
      ADDRESS.withName("iov_base"),
      JAVA_LONG.withName("iov_len"));
  public static final long SIZE = LAYOUT.byteSize();

  private static final VarHandle BASE = LAYOUT.varHandle(groupElement("iov_base"));
  private static final VarHandle LEN = LAYOUT.varHandle(groupElement("iov_len"));

  private IovecStruct() {}

  /** One iovec that covers all of {@code buffer}. */
  public static MemorySegment allocate(SegmentAllocator allocator, MemorySegment buffer) {
    MemorySegment iov = allocator.allocate(LAYOUT);
    write(iov, buffer);
    return iov;
  }

  /** Points {@code iov} at all of {@code buffer}, our memory. */
  public static void write(MemorySegment iov, MemorySegment buffer) {
    BASE.set(iov, 0L, buffer);
    LEN.set(iov, 0L, buffer.byteSize());
  }

  /** Points {@code iov} at {@code length} bytes at {@code address} in another process. */
  public static void writeRemote(MemorySegment iov, long address, long length) {
    BASE.set(iov, 0L, MemorySegment.ofAddress(address));
    LEN.set(iov, 0L, length);
  }

  /** The base address (in whichever process the iovec describes). */
  public static long base(MemorySegment iov) {
    return ((MemorySegment) BASE.get(iov, 0L)).address();
  }

  public static long length(MemorySegment iov) {
    return (long) LEN.get(iov, 0L);
  }
}
