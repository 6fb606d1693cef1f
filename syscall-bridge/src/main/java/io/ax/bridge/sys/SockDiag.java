package io.ax.bridge.sys;

import io.ax.bridge.net.Inet4Endpoint;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel's table of TCP sockets in this network namespace, read with a NETLINK_SOCK_DIAG
 * dump ({@code sock_diag(7)}, {@code inet_diag_req_v2}). The daemon creates every app's socket
 * in its own namespace, so one dump sees all of them: {@link #connectionsByPeer} counts the
 * established and connecting ones by the address they are connected to.
 *
 * <p>Thread-safe: dumps are serialised on this object. A dump reads at most {@link #MAX_SOCKETS}
 * sockets and stops with ENOBUFS beyond.
 */
public final class SockDiag implements AutoCloseable {
  static final int NETLINK_SOCK_DIAG = 4;
  static final int TCP_ESTABLISHED = 1;
  static final int TCP_SYN_SENT = 2;
  /** Established and connecting: a connect the kernel has not finished still loads its peer. */
  public static final int CONNECTED_STATES = (1 << TCP_ESTABLISHED) | (1 << TCP_SYN_SENT);
  /** More sockets than a node has file descriptors to spare; a dump never reads more. */
  static final int MAX_SOCKETS = 1 << 20;
  /** Dump datagrams are at most a page or two (the kernel sizes them to 32 KB at most). */
  static final int BUFFER = 64 * 1024;
  private static final int SO_RCVTIMEO = 20;
  private static final int EBADMSG = 74;

  private final int fd;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment buffer;
  private int seq;
  private boolean closed;

  private SockDiag(int fd) {
    this.fd = fd;
    this.buffer = arena.allocate(BUFFER, 8);
  }

  /** Opens the netlink socket (no privilege needed for this namespace's sockets). */
  public static SockDiag open() throws SysCallException {
    int fd = (int) Libc.check("socket(AF_NETLINK, NETLINK_SOCK_DIAG)", Libc.socket(SockaddrNlStruct.AF_NETLINK, Sys.SOCK_DGRAM | Sys.SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    try (Arena a = Arena.ofConfined()) {
      // The kernel answers a dump at once; a second is far beyond that and keeps a bug from
      // hanging the caller.
      MemorySegment tv = TimevalStruct.allocate(a, 1, 0);
      Libc.check("setsockopt(SO_RCVTIMEO)", Libc.setsockopt(fd, Sys.SOL_SOCKET, SO_RCVTIMEO, tv, TimevalStruct.SIZE));
    } catch (SysCallException e) {
      Libc.close(fd);
      throw e;
    }
    return new SockDiag(fd);
  }

  /**
   * The number of TCP sockets in {@code states} (a mask of {@code 1 << TCP state}) per peer
   * address, IPv4 and IPv4-mapped IPv6 alike.
   */
  public synchronized Map<Inet4Endpoint, Integer> connectionsByPeer(int states) throws SysCallException {
    if (closed) {
      throw new SysCallException("sock_diag: closed", Errno.EBADF);
    }
    Map<Inet4Endpoint, Integer> counts = new HashMap<>();
    int[] read = {0};
    dump(Sys.AF_INET, states, counts, read);
    dump(Sys.AF_INET6, states, counts, read);
    return counts;
  }

  private void dump(int family, int states, Map<Inet4Endpoint, Integer> counts, int[] read) throws SysCallException {
    int mySeq = ++seq;
    try (Arena a = Arena.ofConfined()) {
      int length = NlMsgHdrStruct.SIZE + InetDiagReqV2Struct.SIZE;
      MemorySegment request = a.allocate(length, 8);
      NlMsgHdrStruct.write(request, length, InetDiagReqV2Struct.SOCK_DIAG_BY_FAMILY, NlMsgHdrStruct.NLM_F_REQUEST | NlMsgHdrStruct.NLM_F_DUMP, mySeq);
      InetDiagReqV2Struct.writeDump(request.asSlice(NlMsgHdrStruct.SIZE), family, InetDiagReqV2Struct.IPPROTO_TCP, states);
      MemorySegment kernel = a.allocate(SockaddrNlStruct.SIZE, 4);
      SockaddrNlStruct.writeKernel(kernel);
      long sent;
      do {
        sent = Libc.sendto(fd, request, length, 0, kernel, SockaddrNlStruct.SIZE);
      } while (sent == -Errno.EINTR);
      Libc.check("sendto(sock_diag)", sent);
    }
    while (true) {
      long n;
      do {
        n = Libc.read(fd, buffer, BUFFER);
      } while (n == -Errno.EINTR);
      Libc.check("recv(sock_diag)", n);
      if (parse(buffer, n, mySeq, counts, read)) {
        return;
      }
    }
  }

  /**
   * Counts the sockets of one datagram of a dump into {@code counts}.
   *
   * @param read sockets read so far in this dump, updated
   * @return whether the dump is done (NLMSG_DONE seen)
   * @throws SysCallException as {@link #walk}
   */
  static boolean parse(MemorySegment datagram, long n, int seq, Map<Inet4Endpoint, Integer> counts, int[] read) throws SysCallException {
    return walk(datagram, n, seq, read, message -> InetDiagMsgStruct.peer(message.asSlice(0, InetDiagMsgStruct.SIZE)).ifPresent(p -> counts.merge(p, 1, Integer::sum)));
  }

  /**
   * Walks one datagram of a sock_diag dump (or of its multicast events, {@code seq} 0): hands each
   * socket message ({@code inet_diag_msg} and its attributes, without the netlink header) to
   * {@code message}. Shared by the connection counts here and {@link TcpDiag}'s byte counters.
   *
   * @param read sockets read so far in this dump, updated
   * @return whether the dump is done (NLMSG_DONE seen)
   * @throws SysCallException for an NLMSG_ERROR (its errno), a malformed message (EBADMSG) or
   *     more than {@link #MAX_SOCKETS} sockets (ENOBUFS)
   */
  static boolean walk(MemorySegment datagram, long n, int seq, int[] read, java.util.function.Consumer<MemorySegment> message) throws SysCallException {
    long off = 0;
    while (off + NlMsgHdrStruct.SIZE <= n) {
      NlMsgHdrStruct.Header h = NlMsgHdrStruct.read(datagram.asSlice(off, NlMsgHdrStruct.SIZE));
      if (h.length() < NlMsgHdrStruct.SIZE || off + h.length() > n) {
        throw new SysCallException("sock_diag: message of " + h.length() + " bytes at offset " + off + " of " + n, EBADMSG);
      }
      if (h.seq() == seq) {
        switch (h.type()) {
          case NlMsgHdrStruct.NLMSG_DONE -> {
            return true;
          }
          case NlMsgHdrStruct.NLMSG_ERROR -> {
            int error = h.length() >= NlMsgHdrStruct.SIZE + NlMsgErrStruct.ERROR_END ? NlMsgErrStruct.error(datagram.asSlice(off + NlMsgHdrStruct.SIZE)) : -EBADMSG;
            throw new SysCallException("sock_diag dump", error < 0 ? -error : EBADMSG);
          }
          case InetDiagReqV2Struct.SOCK_DIAG_BY_FAMILY -> {
            if (h.length() < NlMsgHdrStruct.SIZE + InetDiagMsgStruct.SIZE) {
              throw new SysCallException("sock_diag: socket message of " + h.length() + " bytes", EBADMSG);
            }
            if (++read[0] > MAX_SOCKETS) {
              throw new SysCallException("sock_diag: more than " + MAX_SOCKETS + " sockets", Errno.ENOBUFS);
            }
            message.accept(datagram.asSlice(off + NlMsgHdrStruct.SIZE, h.length() - NlMsgHdrStruct.SIZE));
          }
          default -> {
            // Other types (NLMSG_NOOP, overrun notices) carry no socket.
          }
        }
      }
      off += NlMsgHdrStruct.align(h.length());
    }
    return false;
  }

  /** Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      Libc.close(fd);
      arena.close();
    }
  }
}
