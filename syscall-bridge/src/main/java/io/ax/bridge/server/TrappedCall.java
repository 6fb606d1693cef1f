package io.ax.bridge.server;

import io.ax.bridge.BridgeObserver.Answer;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.SockAddr;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.seccomp.Notification;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.SysCallException;
import io.ax.bridge.sys.Target;
import java.util.Objects;
import java.util.Optional;

/**
 * One trapped call being handled: the notification, its app, the {@link Kernel} of the thread
 * that handles it, and our copy of the socket fd it names. Every path ends in exactly one answer
 * ({@link #answer}, {@link #fail}, {@link #proceed}), which releases our fd copy first (or
 * {@link #close} does): with the same-CPU wake-up, the app often runs only once this thread
 * sleeps again, so whatever we do after the answer delays it; and a copy closed after the app's
 * own close() would be the last one, tearing the socket down while the app's next call waits.
 * Not thread-safe: confined to the one handler thread that owns it.
 */
final class TrappedCall implements AutoCloseable {
  private static final int NO_FD = -1;

  final String appId;
  final Notification n;
  final Kernel kernel;
  private final SocketTable sockets;
  private int fd = NO_FD;
  private Target.SocketInfo info = new Target.SocketInfo(-Errno.EBADF, 0, 0); // until takeSocket
  private Answer answer; // null until answered

  /** @param sockets what the bridge knows of sockets, which spares asking the kernel what they are */
  TrappedCall(String appId, Notification n, Kernel kernel, SocketTable sockets) {
    this.appId = Objects.requireNonNull(appId, "appId");
    this.n = Objects.requireNonNull(n, "n");
    this.kernel = Objects.requireNonNull(kernel, "kernel");
    this.sockets = Objects.requireNonNull(sockets, "sockets");
  }

  HostSockets hostSockets() {
    return kernel.sockets();
  }

  TargetProcess target() {
    return kernel.target();
  }

  /**
   * Takes our copy of the target's fd in argument 0 and describes it.
   *
   * @return false when the call was answered already (bad fd, target gone, not an inet socket:
   *     then the kernel runs the call itself, which only it may do for AF_UNIX and friends)
   */
  boolean takeSocket() {
    int copy = kernel.target().copyFd(n.pid(), n.intArg(0));
    if (copy < 0) {
      if (copy == -Errno.EBADF) {
        fail(Errno.EBADF);
      } else if (copy == -Errno.ESRCH) {
        proceed(); // the thread is gone: nobody reads the answer
      } else {
        // We cannot look (EMFILE...): never let the kernel run the call unchecked.
        fail(Errno.ENOBUFS);
      }
      return false;
    }
    fd = copy;
    info = describe(copy);
    if (info.family() != Sys.AF_INET && info.family() != Sys.AF_INET6) {
      // Not ours to decide: AF_UNIX, netlink, or not a socket (the kernel says ENOTSOCK).
      proceed();
      return false;
    }
    return true;
  }

  /** A socket the bridge made is known by its inode: two system calls fewer on every call. */
  private Target.SocketInfo describe(int copy) {
    long inode = kernel.sockets().inode(copy);
    if (inode < 0) {
      return new Target.SocketInfo((int) inode, 0, 0);
    }
    return sockets.get(inode)
        .filter(known -> known.origin instanceof SocketState.Origin.Made)
        .map(known -> {
          SocketState.Origin.Made made = (SocketState.Origin.Made) known.origin;
          return new Target.SocketInfo(made.family(), made.type(), inode);
        })
        .orElseGet(() -> kernel.sockets().describe(copy, inode));
  }

  int fd() {
    return fd;
  }

  int family() {
    return info.family();
  }

  long inode() {
    return info.inode();
  }

  int socketType() {
    return info.type();
  }

  Transport transport() {
    return info.type() == Sys.SOCK_DGRAM ? Transport.UDP : Transport.TCP;
  }

  /**
   * Reads the sockaddr at {@code ptr} of {@code len} bytes from the target and decodes it.
   *
   * @throws SockAddrCodec.BadAddressException with the errno the kernel would give (EFAULT for
   *     memory we cannot read)
   */
  SockAddr readAddress(long ptr, int len) throws SockAddrCodec.BadAddressException {
    if (len < 0 || len > SockAddrCodec.MAX_SIZE) {
      throw new SockAddrCodec.BadAddressException(Errno.EINVAL, "address length " + len);
    }
    byte[] bytes;
    try {
      bytes = kernel.target().read(n.pid(), ptr, len);
    } catch (SysCallException e) {
      throw new SockAddrCodec.BadAddressException(Errno.EFAULT, "cannot read the address: " + e.getMessage());
    }
    return SockAddrCodec.decode(bytes, len, family());
  }

  /**
   * Reads the sockaddr at {@code ptr}, then checks the target still waits. Empty when the call
   * was answered (the address was bad: answered with the kernel's errno) or nobody waits.
   */
  Optional<SockAddr> readCheckedAddress(long ptr, int len) {
    SockAddr addr;
    try {
      addr = readAddress(ptr, len);
    } catch (SockAddrCodec.BadAddressException e) {
      fail(e.errno());
      return Optional.empty();
    }
    if (!stillWaiting()) {
      answer = Answer.GONE; // nobody to answer
      return Optional.empty();
    }
    return Optional.of(addr);
  }

  /** True while the target still waits; check it after reading its memory, before acting. */
  boolean stillWaiting() {
    return kernel.notifier().isValid(n.id());
  }

  void answer(long value) {
    answer = Answer.VALUE;
    close();
    kernel.notifier().answer(n.id(), value);
  }

  /** Answers with the kernel convention: a negative value is {@code -errno}. */
  void answerResult(long result) {
    if (result < 0) {
      fail((int) -result);
    } else {
      answer(result);
    }
  }

  void fail(int errno) {
    answer = Answer.ERRNO;
    close();
    kernel.notifier().fail(n.id(), errno);
  }

  void proceed() {
    answer = Answer.CONTINUE;
    close();
    kernel.notifier().proceed(n.id());
  }

  /** Someone else (a connect in progress) will answer this call. */
  void answeredElsewhere() {
    answer = Answer.DEFERRED;
  }

  boolean answered() {
    return answer != null;
  }

  /** How the call was answered; ERRNO until it is (the dispatcher's default answer is ENOSYS). */
  Answer answerKind() {
    return answer == null ? Answer.ERRNO : answer;
  }

  /** Hands our fd copy to someone else (a connect in progress); close() then leaves it. */
  int detachFd() {
    int f = fd;
    fd = NO_FD;
    return f;
  }

  @Override
  public void close() {
    if (fd != NO_FD) {
      kernel.sockets().close(fd);
      fd = NO_FD;
    }
  }

  @Override
  public String toString() {
    return "app " + appId;
  }
}
