package io.ax.bridge.server;

import io.ax.bridge.seccomp.Notification;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Libc;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code socket(AF_INET|AF_INET6, ...)}: the daemon creates the socket in the node's network
 * namespace and installs it in the app, which from then on holds a real host socket: reads,
 * writes, setsockopt and epoll on it are the kernel's, untouched.
 */
final class SocketCalls {
  private static final Logger log = LoggerFactory.getLogger(SocketCalls.class);
  private static final int KNOWN_TYPE_BITS = Sys.SOCK_TYPE_MASK | Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC;

  private final SocketTable sockets;

  SocketCalls(SocketTable sockets) {
    this.sockets = sockets;
  }

  void socket(AppSession app, Notification n) {
    int domain = n.intArg(0);
    int type = n.intArg(1);
    int protocol = n.intArg(2);
    if ((type & ~KNOWN_TYPE_BITS) != 0) {
      app.listener().fail(n.id(), Errno.EINVAL);
      return;
    }
    int base = type & Sys.SOCK_TYPE_MASK;
    // The daemon is root: a raw socket made for an unprivileged thread would hand it root's
    // power. Ask about the calling thread itself (--user and setuid change it after registration).
    if (base != Sys.SOCK_STREAM && base != Sys.SOCK_DGRAM && !Capabilities.hasNetRaw(n.pid())) {
      app.listener().fail(n.id(), Errno.EPERM);
      return;
    }
    int ours = Libc.socket(domain, base | (type & Sys.SOCK_NONBLOCK) | Sys.SOCK_CLOEXEC, protocol);
    if (ours < 0) {
      app.listener().fail(n.id(), -ours);
      return;
    }
    try {
      // Known from here on: the calls on this socket need not ask the kernel what it is.
      long inode = Target.socketInode(ours);
      if (inode > 0) {
        sockets.created(app.appId(), inode, domain, base);
      }
      int r = app.listener().installAndAnswer(n.id(), ours, (type & Sys.SOCK_CLOEXEC) != 0);
      if (r < 0 && r != -Errno.ENOENT) {
        log.debug("[bridge] {}: installing a socket failed: {}", app, Errno.describe(-r));
        app.listener().fail(n.id(), -r);
      }
    } finally {
      Libc.close(ours);
    }
  }
}
