package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct nlmsghdr} (linux/netlink.h): 16 bytes in host order; messages are 4-aligned. */
final class NlMsgHdrStruct {
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_INT.withName("nlmsg_len"),
      JAVA_SHORT.withName("nlmsg_type"),
      JAVA_SHORT.withName("nlmsg_flags"),
      JAVA_INT.withName("nlmsg_seq"),
      JAVA_INT.withName("nlmsg_pid"));
  static final int SIZE = (int) LAYOUT.byteSize();

  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int NLM_F_REQUEST = 0x1;
  static final int NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH

  /** One header as read. */
  record Header(int length, int type, int flags, int seq) {}

  private NlMsgHdrStruct() {}

  static void write(MemorySegment s, int length, int type, int flags, int seq) {
    s.set(JAVA_INT, 0, length);
    s.set(JAVA_SHORT, 4, (short) type);
    s.set(JAVA_SHORT, 6, (short) flags);
    s.set(JAVA_INT, 8, seq);
    s.set(JAVA_INT, 12, 0); // to the kernel
  }

  static Header read(MemorySegment s) {
    return new Header(s.get(JAVA_INT, 0), Short.toUnsignedInt(s.get(JAVA_SHORT, 4)), Short.toUnsignedInt(s.get(JAVA_SHORT, 6)), s.get(JAVA_INT, 8));
  }

  /** NLMSG_ALIGN: messages in one datagram start on 4-byte boundaries. */
  static long align(long length) {
    return (length + 3) & ~3L;
  }
}
