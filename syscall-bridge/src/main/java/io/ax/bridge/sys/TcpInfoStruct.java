package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * The byte counters of {@code struct tcp_info} (linux/tcp.h), as the {@code INET_DIAG_INFO}
 * attribute of a sock_diag message carries it. Only the counters are read, at their fixed
 * offsets; a shorter struct (an older kernel) lacks the later ones, which then read 0.
 */
final class TcpInfoStruct {
  /** {@code tcpi_bytes_received}: RFC 4898 tcpEStatsAppHCThruOctetsReceived (Linux 4.1). */
  static final int BYTES_RECEIVED = 128;
  /** {@code tcpi_bytes_sent}: payload bytes transmitted, retransmissions included (Linux 4.19). */
  static final int BYTES_SENT = 200;
  /** {@code tcpi_bytes_retrans}: payload bytes retransmitted (Linux 4.19). */
  static final int BYTES_RETRANS = 208;

  private TcpInfoStruct() {}

  /** The payload bytes the socket sent, each counted once (retransmissions taken out). */
  static long bytesSent(MemorySegment info) {
    if (info.byteSize() < BYTES_RETRANS + 8) {
      return 0;
    }
    return Math.max(0, info.get(JAVA_LONG_UNALIGNED, BYTES_SENT) - info.get(JAVA_LONG_UNALIGNED, BYTES_RETRANS));
  }

  /**
   * The bytes the socket received in sequence; the kernel counts a received FIN as one, so a
   * connection the peer closed reads one more than its payload.
   */
  static long bytesReceived(MemorySegment info) {
    return info.byteSize() < BYTES_RECEIVED + 8 ? 0 : info.get(JAVA_LONG_UNALIGNED, BYTES_RECEIVED);
  }
}
