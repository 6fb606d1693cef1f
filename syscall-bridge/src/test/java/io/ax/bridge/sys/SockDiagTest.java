package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.bridge.net.Inet4Endpoint;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.net.StandardProtocolFamily;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SockDiagTest {
  private static final int LOOPBACK = 0x7f000001;

  @Test
  void connectionsByPeer_realSockets_countsClientSidesByServerAddress() throws Exception {
    List<AutoCloseable> open = new ArrayList<>();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); SockDiag diag = SockDiag.open()) {
      Inet4Endpoint at = new Inet4Endpoint(LOOPBACK, server.getLocalPort());
      assertThat(diag.connectionsByPeer(SockDiag.CONNECTED_STATES)).doesNotContainKey(at);
      // Two plain IPv4 sockets and one IPv6 socket connected to an IPv4-mapped address: both
      // families of the dump are read.
      open.add(SocketChannel.open(StandardProtocolFamily.INET).bind(null));
      ((SocketChannel) open.getLast()).connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
      open.add(SocketChannel.open(StandardProtocolFamily.INET));
      ((SocketChannel) open.getLast()).connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
      open.add(SocketChannel.open(StandardProtocolFamily.INET6));
      ((SocketChannel) open.getLast()).connect(new InetSocketAddress(InetAddress.getByName("::ffff:127.0.0.1"), server.getLocalPort()));
      for (int i = 0; i < 3; i++) {
        open.add(server.accept());
      }

      Map<Inet4Endpoint, Integer> counts = diag.connectionsByPeer(SockDiag.CONNECTED_STATES);

      // The accepted ends point at the clients' ephemeral ports, not at the server.
      assertThat(counts).containsEntry(at, 3);
      ((AutoCloseable) open.getFirst()).close();
      assertThat(diag.connectionsByPeer(1 << SockDiag.TCP_ESTABLISHED)).containsEntry(at, 2);
    } finally {
      for (AutoCloseable c : open) {
        c.close();
      }
    }
  }

  @Test
  void close_twice_isHarmlessAndLaterDumpsFail() throws Exception {
    SockDiag diag = SockDiag.open();
    diag.close();
    diag.close();

    assertThatThrownBy(() -> diag.connectionsByPeer(SockDiag.CONNECTED_STATES))
        .isInstanceOfSatisfying(SysCallException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
  }

  // ---- parsing of made-up datagrams ----

  private static MemorySegment datagram(Arena a, int size) {
    return a.allocate(size, 8);
  }

  private static long socketMessage(MemorySegment d, long off, int seq, int family, int peerWords0, int w1, int w2, int w3, int port) {
    int len = NlMsgHdrStruct.SIZE + InetDiagMsgStruct.SIZE;
    NlMsgHdrStruct.write(d.asSlice(off), len, InetDiagReqV2Struct.SOCK_DIAG_BY_FAMILY, 2, seq);
    MemorySegment m = d.asSlice(off + NlMsgHdrStruct.SIZE);
    m.set(JAVA_BYTE, 0, (byte) family);
    m.set(JAVA_BYTE, 1, (byte) SockDiag.TCP_ESTABLISHED);
    MemorySegment id = m.asSlice(4);
    InetDiagSockIdStruct.writeDestination(id, peerWords0, port);
    var be = java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    id.set(be, InetDiagSockIdStruct.DST + 4, w1);
    id.set(be, InetDiagSockIdStruct.DST + 8, w2);
    id.set(be, InetDiagSockIdStruct.DST + 12, w3);
    return off + NlMsgHdrStruct.align(len);
  }

  @Test
  void parse_ipv4MappedAndPlainIpv6Peers_countsOnlyIpv4OnesThenDone() throws Exception {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment d = datagram(a, 1024);
      long off = socketMessage(d, 0, 7, Sys.AF_INET, 0x0a000001, 0, 0, 0, 9080);
      off = socketMessage(d, off, 7, Sys.AF_INET6, 0, 0, 0x0000ffff, 0x0a000001, 9080);
      off = socketMessage(d, off, 7, Sys.AF_INET6, 0x20010db8, 0, 0, 1, 9080);
      off = socketMessage(d, off, 6, Sys.AF_INET, 0x0a000002, 0, 0, 0, 80); // another dump's
      NlMsgHdrStruct.write(d.asSlice(off), NlMsgHdrStruct.SIZE + 4, NlMsgHdrStruct.NLMSG_DONE, 2, 7);
      off += NlMsgHdrStruct.SIZE + 4;
      Map<Inet4Endpoint, Integer> counts = new HashMap<>();
      int[] read = {0};

      boolean done = SockDiag.parse(d, off, 7, counts, read);

      assertThat(done).isTrue();
      assertThat(counts).containsExactly(Map.entry(new Inet4Endpoint(0x0a000001, 9080), 2));
      assertThat(read[0]).isEqualTo(3);
    }
  }

  @Test
  void parse_withoutDone_asksForMore() throws Exception {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment d = datagram(a, 256);
      long off = socketMessage(d, 0, 1, Sys.AF_INET, 0x0a000001, 0, 0, 0, 1);

      assertThat(SockDiag.parse(d, off, 1, new HashMap<>(), new int[1])).isFalse();
    }
  }

  @Test
  void parse_errorMessage_throwsItsErrno() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment d = datagram(a, 256);
      NlMsgHdrStruct.write(d, NlMsgHdrStruct.SIZE + 20, NlMsgHdrStruct.NLMSG_ERROR, 0, 3);
      d.set(JAVA_INT, NlMsgHdrStruct.SIZE, -Errno.EPERM);

      assertThatThrownBy(() -> SockDiag.parse(d, NlMsgHdrStruct.SIZE + 20, 3, new HashMap<>(), new int[1]))
          .isInstanceOfSatisfying(SysCallException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPERM));
    }
  }

  @Test
  void parse_lengthBeyondTheDatagram_throwsBadMessage() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment d = datagram(a, 256);
      NlMsgHdrStruct.write(d, 200, InetDiagReqV2Struct.SOCK_DIAG_BY_FAMILY, 0, 3);

      assertThatThrownBy(() -> SockDiag.parse(d, 100, 3, new HashMap<>(), new int[1]))
          .isInstanceOfSatisfying(SysCallException.class, e -> assertThat(e.errno()).isEqualTo(74))
          .hasMessageContaining("200 bytes");
    }
  }

  @Test
  void parse_lengthShorterThanAHeader_throwsInsteadOfLooping() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment d = datagram(a, 256);
      NlMsgHdrStruct.write(d, 0, InetDiagReqV2Struct.SOCK_DIAG_BY_FAMILY, 0, 3);

      assertThatThrownBy(() -> SockDiag.parse(d, 64, 3, new HashMap<>(), new int[1])).isInstanceOf(SysCallException.class);
    }
  }

  @Test
  void parse_truncatedSocketMessage_throwsBadMessage() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment d = datagram(a, 256);
      NlMsgHdrStruct.write(d, NlMsgHdrStruct.SIZE + 8, InetDiagReqV2Struct.SOCK_DIAG_BY_FAMILY, 0, 3);

      assertThatThrownBy(() -> SockDiag.parse(d, NlMsgHdrStruct.SIZE + 8, 3, new HashMap<>(), new int[1])).isInstanceOf(SysCallException.class);
    }
  }

  @Test
  void layouts_matchTheKernelHeaders() {
    assertThat(NlMsgHdrStruct.SIZE).isEqualTo(16);
    assertThat(InetDiagSockIdStruct.SIZE).isEqualTo(48);
    assertThat(InetDiagReqV2Struct.SIZE).isEqualTo(56);
    assertThat(InetDiagMsgStruct.SIZE).isEqualTo(72);
    assertThat(SockaddrNlStruct.SIZE).isEqualTo(12);
  }
}
