package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.ax.bridge.net.Inet4Endpoint;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Optional;

/**
 * {@code struct inet_diag_msg} (linux/inet_diag.h): 72 bytes, one socket of a sock_diag dump.
 * Only what counting connections needs is read: the family, the TCP state and the peer.
 */
final class InetDiagMsgStruct {
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_BYTE.withName("idiag_family"),
      JAVA_BYTE.withName("idiag_state"),
      JAVA_BYTE.withName("idiag_timer"),
      JAVA_BYTE.withName("idiag_retrans"),
      InetDiagSockIdStruct.LAYOUT.withName("id"),
      JAVA_INT.withName("idiag_expires"),
      JAVA_INT.withName("idiag_rqueue"),
      JAVA_INT.withName("idiag_wqueue"),
      JAVA_INT.withName("idiag_uid"),
      JAVA_INT.withName("idiag_inode"));
  static final int SIZE = (int) LAYOUT.byteSize();
  private static final long ID = 4;

  private InetDiagMsgStruct() {}

  static int family(MemorySegment s) {
    return Byte.toUnsignedInt(s.get(JAVA_BYTE, 0));
  }

  static int state(MemorySegment s) {
    return Byte.toUnsignedInt(s.get(JAVA_BYTE, 1));
  }

  /** {@code id.idiag_cookie}: the socket's cookie, two native-order words, low first. */
  static long cookie(MemorySegment s) {
    long low = Integer.toUnsignedLong(s.get(JAVA_INT, ID + InetDiagSockIdStruct.COOKIE));
    long high = Integer.toUnsignedLong(s.get(JAVA_INT, ID + InetDiagSockIdStruct.COOKIE + 4));
    return high << 32 | low;
  }

  /**
   * The peer as IPv4: the address of an AF_INET socket, or the IPv4 inside an IPv4-mapped
   * address ({@code ::ffff:a.b.c.d}) of an AF_INET6 one; empty for other IPv6 peers.
   */
  static Optional<Inet4Endpoint> peer(MemorySegment s) {
    MemorySegment id = s.asSlice(ID, InetDiagSockIdStruct.SIZE);
    int port = InetDiagSockIdStruct.destinationPort(id);
    return switch (family(s)) {
      case Sys.AF_INET -> Optional.of(new Inet4Endpoint(InetDiagSockIdStruct.addressWord(id, InetDiagSockIdStruct.DST, 0), port));
      case Sys.AF_INET6 -> {
        boolean mapped = InetDiagSockIdStruct.addressWord(id, InetDiagSockIdStruct.DST, 0) == 0
            && InetDiagSockIdStruct.addressWord(id, InetDiagSockIdStruct.DST, 1) == 0
            && InetDiagSockIdStruct.addressWord(id, InetDiagSockIdStruct.DST, 2) == 0x0000ffff;
        yield mapped ? Optional.of(new Inet4Endpoint(InetDiagSockIdStruct.addressWord(id, InetDiagSockIdStruct.DST, 3), port)) : Optional.empty();
      }
      default -> Optional.empty();
    };
  }
}
