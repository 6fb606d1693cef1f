package io.ax.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct mmsghdr} (sendmmsg(2), recvmmsg(2)): a {@link MsgHdrStruct msghdr} and the
 * {@code unsigned int msg_len} the kernel writes back (bytes sent or received for that message),
 * 64 bytes on x86_64 with padding after {@code msg_len}; sendmmsg's vector is an array of them.
 * Stateless: the segments are the caller's.
 */
public final class MMsgHdrStruct {
  public static final StructLayout LAYOUT = MemoryLayout.structLayout(
      MsgHdrStruct.LAYOUT.withName("msg_hdr"),
      JAVA_INT.withName("msg_len"),
      MemoryLayout.paddingLayout(4));
  public static final long SIZE = LAYOUT.byteSize();
  /** Where {@code msg_hdr} starts in an element. */
  public static final long MSG_HDR_OFFSET = LAYOUT.byteOffset(groupElement("msg_hdr"));
  /** Where {@code msg_len} is in an element: what a sender writes into the app's vector. */
  public static final long MSG_LEN_OFFSET = LAYOUT.byteOffset(groupElement("msg_len"));

  private static final VarHandle MSG_LEN = LAYOUT.varHandle(groupElement("msg_len"));

  private MMsgHdrStruct() {}

  /** The address of element {@code index} of a vector at {@code vector} (in whichever process). */
  public static long element(long vector, int index) {
    return vector + index * SIZE;
  }

  /** The message header of {@code mmsg}, a slice of it. */
  public static MemorySegment header(MemorySegment mmsg) {
    return mmsg.asSlice(MSG_HDR_OFFSET, MsgHdrStruct.LAYOUT);
  }

  public static int messageLength(MemorySegment mmsg) {
    return (int) MSG_LEN.get(mmsg, 0L);
  }

  public static void setMessageLength(MemorySegment mmsg, int length) {
    MSG_LEN.set(mmsg, 0L, length);
  }
}
