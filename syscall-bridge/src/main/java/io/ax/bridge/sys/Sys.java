package io.ax.bridge.sys;

/** Constants of the Linux x86_64 ABI the bridge needs (Debian 12's headers predate some). */
public final class Sys {
  private Sys() {}

  public static final int AF_UNIX = 1;
  public static final int AF_INET = 2;
  public static final int AF_INET6 = 10;
  public static final int AF_UNSPEC = 0;

  public static final int SOCK_STREAM = 1;
  public static final int SOCK_DGRAM = 2;
  public static final int SOCK_RAW = 3;
  public static final int SOCK_TYPE_MASK = 0xf;
  public static final int SOCK_NONBLOCK = 0x800;
  public static final int SOCK_CLOEXEC = 0x80000;

  public static final int SOL_SOCKET = 1;
  public static final int SO_REUSEADDR = 2;
  public static final int SO_TYPE = 3;
  public static final int SO_ERROR = 4;
  public static final int SO_REUSEPORT = 15;
  public static final int SO_PEERCRED = 17;
  public static final int SO_DOMAIN = 39;
  /** socket(7): the socket's cookie, a u64 (Linux 4.12). */
  public static final int SO_COOKIE = 57;
  public static final int SCM_RIGHTS = 1;
  public static final int IPPROTO_IPV6 = 41;
  public static final int IPV6_V6ONLY = 26;

  public static final int MSG_DONTWAIT = 0x40;
  public static final int MSG_NOSIGNAL = 0x4000;
  public static final int MSG_CMSG_CLOEXEC = 0x40000000;
  public static final int MSG_FASTOPEN = 0x20000000;

  public static final int O_NONBLOCK = 0x800;
  public static final int O_CLOEXEC = 0x80000;
  public static final int F_GETFL = 3;
  public static final int F_SETFL = 4;

  public static final int EFD_CLOEXEC = 0x80000;
  public static final int EFD_NONBLOCK = 0x800;
  public static final int EPOLL_CLOEXEC = 0x80000;
  public static final int EPOLL_CTL_ADD = 1;
  public static final int EPOLL_CTL_DEL = 2;
  public static final int EPOLL_CTL_MOD = 3;
  public static final int EPOLLIN = 0x1;
  public static final int EPOLLOUT = 0x4;
  public static final int EPOLLERR = 0x8;
  public static final int EPOLLHUP = 0x10;
  public static final int EPOLLONESHOT = 1 << 30;

  /** pidfd_open(2) flag naming a thread rather than a process (Linux 6.9). */
  public static final int PIDFD_THREAD = 0x80; // O_EXCL

  // seccomp_unotify(2): ioctl numbers, computed as _IOWR('!', n, size) and _IOW('!', n, size).
  public static final long SECCOMP_IOCTL_NOTIF_RECV = 0xc0502100L;
  public static final long SECCOMP_IOCTL_NOTIF_SEND = 0xc0182101L;
  public static final long SECCOMP_IOCTL_NOTIF_ID_VALID = 0x40082102L;
  public static final long SECCOMP_IOCTL_NOTIF_ADDFD = 0x40182103L;
  public static final long SECCOMP_IOCTL_NOTIF_SET_FLAGS = 0x40082104L;
  public static final int SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;
  public static final int SECCOMP_ADDFD_FLAG_SETFD = 1;
  public static final int SECCOMP_ADDFD_FLAG_SEND = 2;
  /** Wakes the target on the answering CPU: a round trip of ~4 µs instead of ~40 µs here. */
  public static final long SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP = 1;

  // x86_64 system call numbers the filter traps.
  public static final int NR_SENDTO = 44;
  public static final int NR_SOCKET = 41;
  public static final int NR_CONNECT = 42;
  public static final int NR_SENDMSG = 46;
  public static final int NR_BIND = 49;
  public static final int NR_LISTEN = 50;
  public static final int NR_GETSOCKNAME = 51;
  public static final int NR_GETPEERNAME = 52;
  public static final int NR_SENDMMSG = 307;
  // ...and those that copy an fd, trapped only from the datagram range (see the launcher's filter.c).
  public static final int NR_DUP = 32;
  public static final int NR_DUP2 = 33;
  public static final int NR_FCNTL = 72;
  public static final int NR_DUP3 = 292;
  public static final int F_DUPFD = 0;
  public static final int F_DUPFD_CLOEXEC = 1030;
  /** select(2)'s bound: an fd at or above it cannot go in an fd_set. */
  public static final int FD_SETSIZE = 1024;
  public static final int AUDIT_ARCH_X86_64 = 0xc000003e;
}
