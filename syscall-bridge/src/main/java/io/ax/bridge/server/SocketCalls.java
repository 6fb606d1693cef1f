package io.ax.bridge.server;

import io.ax.bridge.BridgeObserver.Answer;
import io.ax.bridge.seccomp.Notification;
import io.ax.bridge.seccomp.Notifier;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code socket(AF_INET|AF_INET6, ...)}: the daemon creates the socket in the node's network
 * namespace and installs it in the app, which from then on holds a real host socket: reads,
 * writes, setsockopt and epoll on it are the kernel's, untouched. A datagram socket goes to the
 * app's {@link FdRange datagram range}, where its sendmsg stays trapped; every other socket gets
 * the lowest free number, as from the kernel. Stateless apart from the
 * thread-safe socket table: runs on receivers, each call with its thread's {@link Kernel}.
 */
final class SocketCalls {
  private static final Logger log = LoggerFactory.getLogger(SocketCalls.class);
  private static final int KNOWN_TYPE_BITS = Sys.SOCK_TYPE_MASK | Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC;

  private final SocketTable sockets;

  SocketCalls(SocketTable sockets) {
    this.sockets = sockets;
  }

  /** As {@link #socket(String, FdRange, Notification, Kernel)} for an app without a range. */
  Answer socket(String appId, Notification n, Kernel kernel) {
    return socket(appId, new FdRange.Everywhere(), n, kernel);
  }

  /** Makes and installs the socket; returns how the call was answered. */
  Answer socket(String appId, FdRange range, Notification n, Kernel kernel) {
    Notifier notifier = kernel.notifier();
    int domain = n.intArg(0);
    int type = n.intArg(1);
    int protocol = n.intArg(2);
    if ((type & ~KNOWN_TYPE_BITS) != 0) {
      notifier.fail(n.id(), Errno.EINVAL);
      return Answer.ERRNO;
    }
    int base = type & Sys.SOCK_TYPE_MASK;
    // The daemon is root: a raw socket made for an unprivileged thread would hand it root's
    // power. Ask about the calling thread itself (--user and setuid change it after registration).
    if (base != Sys.SOCK_STREAM && base != Sys.SOCK_DGRAM && !kernel.target().hasNetRaw(n.pid())) {
      notifier.fail(n.id(), Errno.EPERM);
      return Answer.ERRNO;
    }
    HostSockets ops = kernel.sockets();
    int ours = ops.socket(domain, base | (type & Sys.SOCK_NONBLOCK) | Sys.SOCK_CLOEXEC, protocol);
    if (ours < 0) {
      notifier.fail(n.id(), -ours);
      return Answer.ERRNO;
    }
    try {
      // Known from here on: the calls on this socket need not ask the kernel what it is.
      long inode = ops.inode(ours);
      if (inode > 0) {
        sockets.created(appId, inode, domain, base);
      }
      Notifier.OnExec onExec = (type & Sys.SOCK_CLOEXEC) != 0 ? Notifier.OnExec.CLOSE : Notifier.OnExec.KEEP;
      int r;
      if (range instanceof FdRange.From from && DatagramFds.needsRange(domain, base)) {
        r = DatagramFds.place(from, kernel, n, ours, onExec);
        if (r == -Errno.ESRCH) {
          return Answer.GONE; // the thread went away while we looked for a number
        }
        if (r == -Errno.EMFILE) {
          log.warn("[bridge] app {}: no free fd number for a datagram socket in its range (from {}, below its open files limit): EMFILE", appId, from.base());
        }
      } else {
        r = notifier.installAndAnswer(n.id(), ours, onExec);
      }
      if (r < 0 && r != -Errno.ENOENT) {
        log.debug("[bridge] app {}: installing a socket failed: {}", appId, Errno.describe(-r));
        notifier.fail(n.id(), -r);
        return Answer.ERRNO;
      }
      return r == -Errno.ENOENT ? Answer.GONE : Answer.VALUE;
    } finally {
      ops.close(ours);
    }
  }
}
