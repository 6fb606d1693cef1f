package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * {@code struct inet_diag_sockid} (linux/inet_diag.h): 48 bytes; ports and addresses in network
 * order, an IPv4 address in the first word of its 16 bytes.
 */
final class InetDiagSockIdStruct {
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_SHORT.withName("idiag_sport"),
      JAVA_SHORT.withName("idiag_dport"),
      MemoryLayout.sequenceLayout(4, JAVA_INT).withName("idiag_src"),
      MemoryLayout.sequenceLayout(4, JAVA_INT).withName("idiag_dst"),
      JAVA_INT.withName("idiag_if"),
      MemoryLayout.sequenceLayout(2, JAVA_INT).withName("idiag_cookie"));
  static final long SIZE = LAYOUT.byteSize();
  private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  static final long SRC = 4;
  static final long DST = 20;
  /** Offset of {@code idiag_cookie}, after the ports, the addresses and the interface. */
  static final long COOKIE = 40;

  private InetDiagSockIdStruct() {}

  static int sourcePort(MemorySegment id) {
    return Short.toUnsignedInt(id.get(BE16, 0));
  }

  static int destinationPort(MemorySegment id) {
    return Short.toUnsignedInt(id.get(BE16, 2));
  }

  /** Word {@code i} (0-3) of an address at {@code offset} ({@link #SRC} or {@link #DST}), host order. */
  static int addressWord(MemorySegment id, long offset, int i) {
    return id.get(BE32, offset + 4L * i);
  }

  static void writeDestination(MemorySegment id, int ipv4, int port) {
    id.set(BE16, 2, (short) port);
    id.set(BE32, DST, ipv4);
  }

  static void writeSource(MemorySegment id, int ipv4, int port) {
    id.set(BE16, 0, (short) port);
    id.set(BE32, SRC, ipv4);
  }
}
