package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * The byte counters of this network namespace's TCP sockets, from the kernel: a sock_diag dump
 * with {@code INET_DIAG_INFO} ({@code struct tcp_info}) for sockets that are open, and the
 * {@code SKNLGRP_INET_TCP_DESTROY} / {@code SKNLGRP_INET6_TCP_DESTROY} multicast groups, on which
 * the kernel sends the same message, final counters included, for each TCP socket it frees
 * ({@code sock_diag_broadcast_destroy}, Linux 4.9). Sockets are known by their cookie
 * ({@code SO_COOKIE}): after the app closes a socket its inode is gone, the cookie stays. No byte
 * of the data path is touched. Needs CAP_NET_ADMIN for the groups (the daemon is root).
 *
 * <p>Thread-safe: dumps are serialised on this object; {@link #drainDestroyed} is for one reader
 * thread, with its own socket and buffer.
 */
public final class TcpDiag implements AutoCloseable {
  /** One socket's counters. */
  public record Counters(long cookie, long bytesSent, long bytesReceived) {}

  static final int INET_DIAG_INFO = 2;
  static final int SKNLGRP_INET_TCP_DESTROY = 1;
  static final int SKNLGRP_INET6_TCP_DESTROY = 3;
  private static final int SO_RCVTIMEO = 20;
  /** SO_RCVBUFFORCE: root may go past net.core.rmem_max (208 KiB by default). */
  private static final int SO_RCVBUFFORCE = 33;
  private static final int SO_RCVBUF = 8;
  /**
   * Connections, not their remains: every state but TIME_WAIT (6), LISTEN (10) and
   * NEW_SYN_RECV (12), which carry no tcp_info of an app's connection and pile up by the
   * thousands on a busy node.
   */
  static final int OPEN_STATES = 0xffff & ~(1 << 6) & ~(1 << 10) & ~(1 << 12);
  /**
   * The freed-socket queue between drains: 8 MB (the kernel doubles it for its bookkeeping)
   * holds about 20,000 messages of ~400 bytes, a tenth of a second at 100,000 closes a second.
   */
  private static final int EVENT_RCVBUF = 8 << 20;

  private final int dumpFd;
  private final int eventFd;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment dumpBuffer;
  private final MemorySegment eventBuffer;
  private int seq;
  private boolean closed;

  private TcpDiag(int dumpFd, int eventFd) {
    this.dumpFd = dumpFd;
    this.eventFd = eventFd;
    this.dumpBuffer = arena.allocate(SockDiag.BUFFER, 8);
    this.eventBuffer = arena.allocate(SockDiag.BUFFER, 8);
  }

  /** Opens the dump socket and the one subscribed to the destroy groups. */
  public static TcpDiag open() throws SysCallException {
    int dump = netlink(0);
    int events;
    try {
      // Non-blocking: the reader drains what queued up, then sleeps, instead of waking per socket.
      events = netlink(Sys.SOCK_NONBLOCK);
    } catch (SysCallException e) {
      Libc.close(dump);
      throw e;
    }
    try (Arena a = Arena.ofConfined()) {
      // The kernel answers a dump at once; a second is far beyond that and keeps a bug from hanging the caller.
      MemorySegment tv = TimevalStruct.allocate(a, 1, 0);
      Libc.check("setsockopt(SO_RCVTIMEO)", Libc.setsockopt(dump, Sys.SOL_SOCKET, SO_RCVTIMEO, tv, TimevalStruct.SIZE));
      MemorySegment v = a.allocate(JAVA_INT);
      v.set(JAVA_INT, 0, EVENT_RCVBUF);
      if (Libc.setsockopt(events, Sys.SOL_SOCKET, SO_RCVBUFFORCE, v, 4) < 0) {
        Libc.setsockopt(events, Sys.SOL_SOCKET, SO_RCVBUF, v, 4); // without CAP_NET_ADMIN: up to rmem_max
      }
      // bind(2), not NETLINK_ADD_MEMBERSHIP alone: an unbound socket has port id 0, the kernel's
      // own, and netlink_broadcast skips the sender's port id.
      MemorySegment self = a.allocate(SockaddrNlStruct.SIZE, 4);
      SockaddrNlStruct.writeBind(self, 1 << (SKNLGRP_INET_TCP_DESTROY - 1) | 1 << (SKNLGRP_INET6_TCP_DESTROY - 1));
      Libc.check("bind(sock_diag destroy groups)", Libc.bind(events, self, SockaddrNlStruct.SIZE));
    } catch (SysCallException e) {
      Libc.close(dump);
      Libc.close(events);
      throw e;
    }
    return new TcpDiag(dump, events);
  }

  private static int netlink(int flags) throws SysCallException {
    return (int) Libc.check(
        "socket(AF_NETLINK, NETLINK_SOCK_DIAG)", Libc.socket(SockaddrNlStruct.AF_NETLINK, Sys.SOCK_DGRAM | Sys.SOCK_CLOEXEC | flags, SockDiag.NETLINK_SOCK_DIAG));
  }

  /** Every open TCP connection's counters (IPv4 and IPv6 sockets; see {@link #OPEN_STATES}), in any order. */
  public synchronized void dump(Consumer<Counters> each) throws SysCallException {
    if (closed) {
      throw new SysCallException("tcp diag: closed", Errno.EBADF);
    }
    int[] read = {0};
    dump(Sys.AF_INET, each, read);
    dump(Sys.AF_INET6, each, read);
  }

  private void dump(int family, Consumer<Counters> each, int[] read) throws SysCallException {
    int mySeq = ++seq;
    try (Arena a = Arena.ofConfined()) {
      int length = NlMsgHdrStruct.SIZE + InetDiagReqV2Struct.SIZE;
      MemorySegment request = a.allocate(length, 8);
      NlMsgHdrStruct.write(request, length, InetDiagReqV2Struct.SOCK_DIAG_BY_FAMILY, NlMsgHdrStruct.NLM_F_REQUEST | NlMsgHdrStruct.NLM_F_DUMP, mySeq);
      InetDiagReqV2Struct.writeDump(request.asSlice(NlMsgHdrStruct.SIZE), family, InetDiagReqV2Struct.IPPROTO_TCP, OPEN_STATES);
      // idiag_ext: a bit per attribute wanted, INET_DIAG_INFO's is 1 << (2 - 1).
      request.set(java.lang.foreign.ValueLayout.JAVA_BYTE, NlMsgHdrStruct.SIZE + 2, (byte) (1 << (INET_DIAG_INFO - 1)));
      MemorySegment kernel = a.allocate(SockaddrNlStruct.SIZE, 4);
      SockaddrNlStruct.writeKernel(kernel);
      long sent;
      do {
        sent = Libc.sendto(dumpFd, request, length, 0, kernel, SockaddrNlStruct.SIZE);
      } while (sent == -Errno.EINTR);
      Libc.check("sendto(sock_diag)", sent);
    }
    while (true) {
      long n;
      do {
        n = Libc.read(dumpFd, dumpBuffer, SockDiag.BUFFER);
      } while (n == -Errno.EINTR);
      Libc.check("recv(sock_diag)", n);
      if (parse(dumpBuffer, n, mySeq, each, read)) {
        return;
      }
    }
  }

  /**
   * Hands the final counters of every socket freed since the last call to {@code each}, without
   * waiting: call it now and then (a reader that woke per socket would cost a thread switch per
   * connection).
   *
   * @return how many datagrams were read
   * @throws SysCallException ENOBUFS when the kernel dropped events because the queue was full
   *     (the counters of those sockets are lost; the next call goes on), or another errno
   */
  public int drainDestroyed(Consumer<Counters> each) throws SysCallException {
    int datagrams = 0;
    while (true) {
      long n;
      do {
        n = Libc.read(eventFd, eventBuffer, SockDiag.BUFFER);
      } while (n == -Errno.EINTR);
      if (n == -Errno.EAGAIN) {
        return datagrams;
      }
      Libc.check("recv(sock_diag destroy)", n);
      datagrams++;
      parse(eventBuffer, n, 0, each, new int[] {0});
    }
  }

  /**
   * Hands the counters of each socket message of one datagram to {@code each}.
   *
   * @param seq the dump's sequence number; 0 for multicast events
   * @param read sockets read so far in this dump, updated
   * @return whether the dump is done (NLMSG_DONE seen)
   * @throws SysCallException for an NLMSG_ERROR (its errno), a malformed message (EBADMSG) or
   *     more than {@link SockDiag#MAX_SOCKETS} sockets (ENOBUFS)
   */
  static boolean parse(MemorySegment datagram, long n, int seq, Consumer<Counters> each, int[] read) throws SysCallException {
    return SockDiag.walk(datagram, n, seq, read, message -> counters(message).ifPresent(each));
  }

  /** The cookie and the INET_DIAG_INFO counters of one {@code inet_diag_msg} and its attributes. */
  static java.util.Optional<Counters> counters(MemorySegment message) {
    long cookie = InetDiagMsgStruct.cookie(message);
    long off = NlMsgHdrStruct.align(InetDiagMsgStruct.SIZE);
    while (off + 4 <= message.byteSize()) {
      int length = Short.toUnsignedInt(message.get(JAVA_SHORT_UNALIGNED, off));
      int type = Short.toUnsignedInt(message.get(JAVA_SHORT_UNALIGNED, off + 2)) & 0x3fff; // without NLA_F_NESTED, NLA_F_NET_BYTEORDER
      if (length < 4 || off + length > message.byteSize()) {
        return java.util.Optional.empty(); // a malformed attribute: the rest cannot be trusted
      }
      if (type == INET_DIAG_INFO) {
        MemorySegment info = message.asSlice(off + 4, length - 4);
        return java.util.Optional.of(new Counters(cookie, TcpInfoStruct.bytesSent(info), TcpInfoStruct.bytesReceived(info)));
      }
      off += NlMsgHdrStruct.align(length);
    }
    return java.util.Optional.empty();
  }

  /** Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      Libc.close(dumpFd);
      Libc.close(eventFd);
      arena.close();
    }
  }
}
