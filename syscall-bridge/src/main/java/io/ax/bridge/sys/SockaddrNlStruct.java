package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct sockaddr_nl} (linux/netlink.h): 12 bytes; port id 0 is the kernel. */
final class SockaddrNlStruct {
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_SHORT.withName("nl_family"),
      JAVA_SHORT.withName("nl_pad"),
      JAVA_INT.withName("nl_pid"),
      JAVA_INT.withName("nl_groups"));
  static final int SIZE = (int) LAYOUT.byteSize();
  static final int AF_NETLINK = 16;

  private SockaddrNlStruct() {}

  /**
   * Our address for bind(2): a port id the kernel picks (0) and the multicast {@code groups}, a
   * bit per group (group N is bit N - 1).
   */
  static void writeBind(MemorySegment s, int groups) {
    s.set(JAVA_SHORT, 0, (short) AF_NETLINK);
    s.set(JAVA_SHORT, 2, (short) 0);
    s.set(JAVA_INT, 4, 0);
    s.set(JAVA_INT, 8, groups);
  }

  /** The kernel's address. */
  static void writeKernel(MemorySegment s) {
    s.set(JAVA_SHORT, 0, (short) AF_NETLINK);
    s.set(JAVA_SHORT, 2, (short) 0);
    s.set(JAVA_INT, 4, 0);
    s.set(JAVA_INT, 8, 0);
  }
}
