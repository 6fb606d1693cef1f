package io.ax.bridge.server;

import io.ax.bridge.sys.Target;

/**
 * The kernel calls the daemon makes on its own socket fds: the copies it took of an app's
 * sockets (see {@link TargetProcess#copyFd}) and the sockets it makes for apps. The seam that
 * lets handlers run against fake sockets in tests; the real one is {@link LibcHostSockets}.
 *
 * <p>Contract: results follow the kernel's convention, a non-negative value or {@code -errno},
 * exactly as the system call answered, so that handlers can hand them to the app unchanged.
 * Addresses are encoded sockaddrs (see {@code SockAddrCodec}). An instance is confined to the
 * thread that made it (it reuses that thread's buffers).
 */
interface HostSockets {

  /** {@code socket(2)}: a new fd or {@code -errno}. */
  int socket(int domain, int type, int protocol);

  /** The inode that names socket {@code fd}, or {@code -errno} (ENOTSOCK for a non-socket). */
  long inode(int fd);

  /** Family and type of socket {@code fd}, whose inode is known; a negative family is {@code -errno}. */
  Target.SocketInfo describe(int fd, long inode);

  /** {@code connect(2)} to the encoded {@code sockaddr}. */
  int connect(int fd, byte[] sockaddr);

  /** {@code bind(2)} to the encoded {@code sockaddr}. */
  int bind(int fd, byte[] sockaddr);

  /** {@code listen(2)}. */
  int listen(int fd, int backlog);

  /** {@code fcntl(F_GETFL)}: the file status flags (O_NONBLOCK...) or {@code -errno}. */
  int fileFlags(int fd);

  /** {@code fcntl(F_SETFL)}: 0 or {@code -errno}. */
  int setFileFlags(int fd, int flags);

  /** An int option of SOL_SOCKET (SO_ERROR reads and clears the pending error), or {@code -errno}. */
  int intOption(int fd, int name);

  /**
   * IPV6_V6ONLY of an AF_INET6 socket: 1 when it carries IPv6 only, 0 when it serves IPv4 too
   * (IPv4-mapped), or {@code -errno}.
   */
  int ipv6Only(int fd);

  /** Sets an int option of SOL_SOCKET: 0 or {@code -errno}. */
  int setIntOption(int fd, int name, int value);

  /**
   * The socket's cookie ({@code SO_COOKIE}, socket(7)): a number the kernel gives each socket for
   * its lifetime, which sock_diag reports too. A positive value or {@code -errno}.
   */
  default long cookie(int fd) {
    return -io.ax.bridge.sys.Errno.EOPNOTSUPP;
  }

  /** Whether the socket has a peer now ({@code getpeername(2)} succeeds). */
  boolean hasPeer(int fd);

  /** The local IPv4 address a socket is bound to (after bind or connect), if it has one. */
  java.util.Optional<io.ax.bridge.net.Inet4Endpoint> localAddress(int fd);

  /**
   * {@code sendmsg(2)} of one datagram: {@code data} to the encoded {@code to} (empty: the
   * connected peer) with the ancillary {@code control} bytes. Bytes sent or {@code -errno}.
   */
  long sendmsg(int fd, byte[] data, byte[] to, byte[] control, int flags);

  /** Closes our fd. */
  void close(int fd);
}
