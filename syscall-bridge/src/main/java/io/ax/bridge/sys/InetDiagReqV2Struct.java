package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct inet_diag_req_v2} (linux/inet_diag.h, sock_diag(7)): 56 bytes, a family, a
 * protocol, a bit mask of TCP states, and an {@code inet_diag_sockid} to match (all zero for a
 * dump of every socket).
 */
final class InetDiagReqV2Struct {
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_BYTE.withName("sdiag_family"),
      JAVA_BYTE.withName("sdiag_protocol"),
      JAVA_BYTE.withName("idiag_ext"),
      JAVA_BYTE.withName("pad"),
      JAVA_INT.withName("idiag_states"),
      InetDiagSockIdStruct.LAYOUT.withName("id"));
  static final int SIZE = (int) LAYOUT.byteSize();

  static final int IPPROTO_TCP = 6;
  static final int SOCK_DIAG_BY_FAMILY = 20;

  private InetDiagReqV2Struct() {}

  /** A dump request for every socket of {@code family} and {@code protocol} in {@code states}. */
  static void writeDump(MemorySegment s, int family, int protocol, int states) {
    s.asSlice(0, SIZE).fill((byte) 0);
    s.set(JAVA_BYTE, 0, (byte) family);
    s.set(JAVA_BYTE, 1, (byte) protocol);
    s.set(JAVA_INT, 4, states);
  }
}
