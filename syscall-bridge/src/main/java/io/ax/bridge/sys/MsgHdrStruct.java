package io.ax.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct msghdr} (sendmsg(2), recvmsg(2); the kernel's {@code struct user_msghdr}): 56
 * bytes on x86_64, with padding after {@code msg_namelen} and after {@code msg_flags}. The
 * lengths of the iovec array and of the control buffer are {@code size_t}; recvmsg(2) rewrites
 * {@code msg_controllen} to what it used and sets {@code msg_flags} (MSG_CTRUNC...). Stateless:
 * the segments are the caller's.
 */
public final class MsgHdrStruct {
  public static final StructLayout LAYOUT = MemoryLayout.structLayout(
      ADDRESS.withName("msg_name"),
      JAVA_INT.withName("msg_namelen"),
      MemoryLayout.paddingLayout(4),
      ADDRESS.withName("msg_iov"),
      JAVA_LONG.withName("msg_iovlen"),
      ADDRESS.withName("msg_control"),
      JAVA_LONG.withName("msg_controllen"),
      JAVA_INT.withName("msg_flags"),
      MemoryLayout.paddingLayout(4));
  public static final long SIZE = LAYOUT.byteSize();

  private static final VarHandle NAME = LAYOUT.varHandle(groupElement("msg_name"));
  private static final VarHandle NAMELEN = LAYOUT.varHandle(groupElement("msg_namelen"));
  private static final VarHandle IOV = LAYOUT.varHandle(groupElement("msg_iov"));
  private static final VarHandle IOVLEN = LAYOUT.varHandle(groupElement("msg_iovlen"));
  private static final VarHandle CONTROL = LAYOUT.varHandle(groupElement("msg_control"));
  private static final VarHandle CONTROLLEN = LAYOUT.varHandle(groupElement("msg_controllen"));
  private static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("msg_flags"));

  private MsgHdrStruct() {}

  /** A zeroed header: no name, no iovecs, no control data, no flags. */
  public static MemorySegment allocate(SegmentAllocator allocator) {
    return allocator.allocate(LAYOUT);
  }

  /** The destination (or, for recvmsg, where the source goes): all of {@code sockaddr}. */
  public static void setName(MemorySegment msg, MemorySegment sockaddr) {
    NAME.set(msg, 0L, sockaddr);
    NAMELEN.set(msg, 0L, Math.toIntExact(sockaddr.byteSize()));
  }

  /** The data: {@code count} iovecs starting at {@code iovecs}. */
  public static void setIov(MemorySegment msg, MemorySegment iovecs, long count) {
    IOV.set(msg, 0L, iovecs);
    IOVLEN.set(msg, 0L, count);
  }

  /** Ancillary data: all of {@code control} (for recvmsg, the room the kernel may fill). */
  public static void setControl(MemorySegment msg, MemorySegment control) {
    CONTROL.set(msg, 0L, control);
    CONTROLLEN.set(msg, 0L, control.byteSize());
  }

  /** The address of the name (in whichever process the header describes); 0 for none. */
  public static long name(MemorySegment msg) {
    return ((MemorySegment) NAME.get(msg, 0L)).address();
  }

  public static int nameLength(MemorySegment msg) {
    return (int) NAMELEN.get(msg, 0L);
  }

  /** The address of the iovec array (in whichever process the header describes). */
  public static long iov(MemorySegment msg) {
    return ((MemorySegment) IOV.get(msg, 0L)).address();
  }

  public static long iovLength(MemorySegment msg) {
    return (long) IOVLEN.get(msg, 0L);
  }

  /** The address of the control buffer (in whichever process the header describes); 0 for none. */
  public static long control(MemorySegment msg) {
    return ((MemorySegment) CONTROL.get(msg, 0L)).address();
  }

  /** The length of the control buffer; after recvmsg(2), how many bytes the kernel wrote. */
  public static long controlLength(MemorySegment msg) {
    return (long) CONTROLLEN.get(msg, 0L);
  }

  /** After recvmsg(2): MSG_TRUNC, MSG_CTRUNC... */
  public static int flags(MemorySegment msg) {
    return (int) FLAGS.get(msg, 0L);
  }
}
