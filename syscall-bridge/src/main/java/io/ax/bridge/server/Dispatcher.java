package io.ax.bridge.server;

import io.ax.bridge.BridgeObserver;
import io.ax.bridge.BridgeObserver.Answer;
import io.ax.bridge.BridgeObserver.Syscall;
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
 * forever. Each answer is reported to the {@link BridgeObserver} with the time from dispatch to
 * answer (for bind and listen, including the wait for their virtual thread). Stateless apart from
 * the handlers it routes to (see theirs).
 */
final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final SocketCalls socketCalls;
  private final SocketTable sockets;
  private final AddressCalls addressCalls;
  private final ConnectCalls connectCalls;
  private final SendCalls sendCalls;
  private final ExecutorService slow;
  private final BridgeObserver observer;
  private final LongSupplier nanoClock;

  /**
   * @param readiness where blocking connects wait
   * @param loopSockets the event loop thread's {@link HostSockets}, for connects that finish there
   */
  Dispatcher(SocketPolicy policy, SocketTable sockets, Readiness readiness, HostSockets loopSockets, ExecutorService slow, LongSupplier nanoClock) {
    this(policy, sockets, readiness, loopSockets, slow, nanoClock, BridgeObserver.NONE);
  }

  /** @param observer hears of every answer and every connect's end */
  Dispatcher(
      SocketPolicy policy, SocketTable sockets, Readiness readiness, HostSockets loopSockets, ExecutorService slow, LongSupplier nanoClock, BridgeObserver observer) {
    this.socketCalls = new SocketCalls(sockets);
    this.sockets = sockets;
    this.addressCalls = new AddressCalls(policy, sockets, nanoClock);
    this.connectCalls = new ConnectCalls(policy, sockets, readiness, loopSockets, observer, nanoClock);
    this.sendCalls = new SendCalls(policy);
    this.slow = slow;
    this.observer = observer;
    this.nanoClock = nanoClock;
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
    long start = nanoClock.getAsLong();
    switch (n.nr()) {
      case Sys.NR_SOCKET -> answered(Syscall.SOCKET, socketCalls.socket(app.appId(), app.fdRange(), n, kernel), start);
      // On the receiver like socket(): an app's placements in its range never run concurrently.
      case Sys.NR_DUP, Sys.NR_DUP2, Sys.NR_DUP3, Sys.NR_FCNTL -> answered(Syscall.DUP, DupCalls.dup(app.appId(), app.fdRange(), n, kernel), start);
      case Sys.NR_BIND -> slow.execute(() -> answered(Syscall.BIND, inOwnScope(app, n, addressCalls::bind), start));
      case Sys.NR_LISTEN -> slow.execute(() -> answered(Syscall.LISTEN, inOwnScope(app, n, addressCalls::listen), start));
      case Sys.NR_CONNECT -> answered(Syscall.CONNECT, onSocket(app.appId(), n, kernel, connectCalls::connect), start);
      case Sys.NR_GETSOCKNAME -> answered(Syscall.GETSOCKNAME, onSocket(app.appId(), n, kernel, c -> addressCalls.name(c, AddressCalls.Side.LOCAL)), start);
      case Sys.NR_GETPEERNAME -> answered(Syscall.GETPEERNAME, onSocket(app.appId(), n, kernel, c -> addressCalls.name(c, AddressCalls.Side.PEER)), start);
      case Sys.NR_SENDTO -> answered(Syscall.SENDTO, onSocket(app.appId(), n, kernel, sendCalls::sendto), start);
      case Sys.NR_SENDMSG -> answered(Syscall.SENDMSG, onSocket(app.appId(), n, kernel, sendCalls::sendmsg), start);
      case Sys.NR_SENDMMSG -> answered(Syscall.SENDMMSG, onSocket(app.appId(), n, kernel, sendCalls::sendmmsg), start);
      default -> {
        kernel.notifier().proceed(n.id()); // not one of ours: the filter changed under us
        answered(Syscall.OTHER, Answer.CONTINUE, start);
      }
    }
  }

  private void answered(Syscall syscall, Answer answer, long start) {
    observer.answered(syscall, answer, nanoClock.getAsLong() - start);
  }

  /** On a virtual thread: a scope of its own, opened and closed by that thread. */
  private Answer inOwnScope(AppSession app, Notification n, Consumer<TrappedCall> handler) {
    try (CallScope scope = CallScope.open(app.listener(), CallScope.Pidfds.FRESH)) {
      return onSocket(app.appId(), n, scope.kernel(), handler);
    }
  }

  /**
   * Runs {@code handler} on the socket in argument 0; answers ENOSYS if it did not answer.
   *
   * @return how the call was answered
   */
  static Answer onSocket(String appId, Notification n, Kernel kernel, SocketTable sockets, Consumer<TrappedCall> handler) {
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
      return call.answerKind();
    }
  }

  private Answer onSocket(String appId, Notification n, Kernel kernel, Consumer<TrappedCall> handler) {
    return onSocket(appId, n, kernel, sockets, handler);
  }
}
