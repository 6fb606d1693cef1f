package io.ax.bridge.server;

import io.ax.bridge.SocketPolicy;
import io.ax.bridge.seccomp.Notification;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each trapped call to its handler. Quick calls run on the app's receiver thread, with
 * its {@link Kernel}; bind and listen, which may write the daemon's state, run on virtual
 * threads, each in a {@link CallScope} of its own. Every call is answered exactly once, whatever
 * happens: an unexpected failure answers ENOSYS rather than leaving a thread of the app waiting
 * forever. Stateless apart from the handlers it routes to (see theirs).
 */
final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final SocketCalls socketCalls;
  private final SocketTable sockets;
  private final AddressCalls addressCalls;
  private final ConnectCalls connectCalls;
  private final SendCalls sendCalls;
  private final ExecutorService slow;

  /**
   * @param readiness where blocking connects wait
   * @param loopSockets the event loop thread's {@link HostSockets}, for connects that finish there
   */
  Dispatcher(SocketPolicy policy, SocketTable sockets, Readiness readiness, HostSockets loopSockets, ExecutorService slow, LongSupplier nanoClock) {
    this.socketCalls = new SocketCalls(sockets);
    this.sockets = sockets;
    this.addressCalls = new AddressCalls(policy, sockets, nanoClock);
    this.connectCalls = new ConnectCalls(policy, sockets, readiness, loopSockets);
    this.sendCalls = new SendCalls(policy);
    this.slow = slow;
  }

  /**
   * Handles one call on the app's receiver thread.
   *
   * @param kernel the receiver thread's own (its scratch and pidfd cache are confined to it)
   */
  void dispatch(AppSession app, Notification n, Kernel kernel) {
    if (n.arch() != Sys.AUDIT_ARCH_X86_64) {
      kernel.notifier().fail(n.id(), Errno.ENOSYS); // the filter never sends these; be safe
      return;
    }
    switch (n.nr()) {
      case Sys.NR_SOCKET -> socketCalls.socket(app.appId(), n, kernel);
      case Sys.NR_BIND -> slow.execute(() -> inOwnScope(app, n, addressCalls::bind));
      case Sys.NR_LISTEN -> slow.execute(() -> inOwnScope(app, n, addressCalls::listen));
      case Sys.NR_CONNECT -> onSocket(app.appId(), n, kernel, connectCalls::connect);
      case Sys.NR_GETSOCKNAME -> onSocket(app.appId(), n, kernel, c -> addressCalls.name(c, AddressCalls.Side.LOCAL));
      case Sys.NR_GETPEERNAME -> onSocket(app.appId(), n, kernel, c -> addressCalls.name(c, AddressCalls.Side.PEER));
      case Sys.NR_SENDTO -> onSocket(app.appId(), n, kernel, sendCalls::sendto);
      case Sys.NR_SENDMSG -> onSocket(app.appId(), n, kernel, sendCalls::sendmsg);
      case Sys.NR_SENDMMSG -> onSocket(app.appId(), n, kernel, sendCalls::sendmmsg);
      default -> kernel.notifier().proceed(n.id()); // not one of ours: the filter changed under us
    }
  }

  /** On a virtual thread: a scope of its own, opened and closed by that thread. */
  private void inOwnScope(AppSession app, Notification n, Consumer<TrappedCall> handler) {
    try (CallScope scope = CallScope.open(app.listener(), CallScope.Pidfds.FRESH)) {
      onSocket(app.appId(), n, scope.kernel(), handler);
    }
  }

  /** Runs {@code handler} on the socket in argument 0; answers ENOSYS if it did not answer. */
  static void onSocket(String appId, Notification n, Kernel kernel, SocketTable sockets, Consumer<TrappedCall> handler) {
    try (TrappedCall call = new TrappedCall(appId, n, kernel, sockets)) {
      try {
        if (call.takeSocket()) {
          handler.accept(call);
        }
      } catch (RuntimeException e) {
        log.error("[bridge] app {}: handling system call {} failed", appId, n.nr(), e);
      } finally {
        if (!call.answered()) {
          call.fail(Errno.ENOSYS);
        }
      }
    }
  }

  private void onSocket(String appId, Notification n, Kernel kernel, Consumer<TrappedCall> handler) {
    onSocket(appId, n, kernel, sockets, handler);
  }
}
