package io.ax.bridge.server;

import io.ax.bridge.SocketPolicy;
import io.ax.bridge.seccomp.Notification;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.Target;
import java.util.function.IntBinaryOperator;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each trapped call to its handler. Quick calls run on the app's receiver thread; bind and listen,
 * which may write the daemon's state, run on virtual threads. Every call is answered exactly
 * once, whatever happens: an unexpected failure answers EIO-like ENOSYS rather than leaving a
 * thread of the app waiting forever.
 */
final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final SocketCalls socketCalls;
  private final SocketTable sockets;
  private final AddressCalls addressCalls;
  private final ConnectCalls connectCalls;
  private final SendCalls sendCalls;
  private final ExecutorService slow;
  private final IntBinaryOperator freshCopy = Target::copyFd;

  Dispatcher(SocketPolicy policy, SocketTable sockets, EventLoop loop, ExecutorService slow) {
    this.socketCalls = new SocketCalls(sockets);
    this.sockets = sockets;
    this.addressCalls = new AddressCalls(policy, sockets);
    this.connectCalls = new ConnectCalls(policy, sockets, loop);
    this.sendCalls = new SendCalls(policy);
    this.slow = slow;
  }

  /**
   * Handles one call on the app's receiver thread.
   *
   * @param cachedCopy the receiver thread's own fd copier (its pidfd cache is confined to it)
   */
  void dispatch(AppSession app, Notification n, IntBinaryOperator cachedCopy) {
    if (n.arch() != Sys.AUDIT_ARCH_X86_64) {
      app.listener().fail(n.id(), Errno.ENOSYS); // the filter never sends these; be safe
      return;
    }
    switch (n.nr()) {
      case Sys.NR_SOCKET -> socketCalls.socket(app, n);
      case Sys.NR_BIND -> slow.execute(() -> onSocket(app, n, freshCopy, addressCalls::bind));
      case Sys.NR_LISTEN -> slow.execute(() -> onSocket(app, n, freshCopy, addressCalls::listen));
      case Sys.NR_CONNECT -> onSocket(app, n, cachedCopy, connectCalls::connect);
      case Sys.NR_GETSOCKNAME -> onSocket(app, n, cachedCopy, c -> addressCalls.name(c, false));
      case Sys.NR_GETPEERNAME -> onSocket(app, n, cachedCopy, c -> addressCalls.name(c, true));
      case Sys.NR_SENDTO -> onSocket(app, n, cachedCopy, sendCalls::sendto);
      case Sys.NR_SENDMSG -> onSocket(app, n, cachedCopy, sendCalls::sendmsg);
      case Sys.NR_SENDMMSG -> onSocket(app, n, cachedCopy, sendCalls::sendmmsg);
      default -> app.listener().proceed(n.id()); // not one of ours: the filter changed under us
    }
  }

  private void onSocket(AppSession app, Notification n, IntBinaryOperator fdCopier, java.util.function.Consumer<TrappedCall> handler) {
    try (TrappedCall call = new TrappedCall(app, n, fdCopier, sockets)) {
      try {
        if (call.takeSocket()) {
          handler.accept(call);
        }
      } catch (RuntimeException e) {
        log.error("[bridge] {}: handling system call {} failed", app, n.nr(), e);
      } finally {
        if (!call.answered()) {
          call.fail(Errno.ENOSYS);
        }
      }
    }
  }

}
