package io.ax.bridge.server;

import io.ax.bridge.BridgeObserver;
import io.ax.bridge.SocketPolicy;
import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddr;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.seccomp.Notifier;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.SysCallException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code connect}: the policy decides where a virtual destination goes, and the daemon connects
 * the app's socket itself (on its fd copy), so the app's memory is read once and never trusted
 * again. A target that refuses is followed by the next before the app hears anything.
 *
 * <p>A non-blocking socket gets EINPROGRESS as the kernel would answer. A blocking one is made
 * non-blocking for the attempt and watched through {@link Readiness}, so one slow connect never
 * holds up another app; the app's thread waits in the kernel until we answer. A restarted
 * connect (the app took a signal) joins the attempt in progress.
 *
 * <p>A decision with a connect timeout (Istio's {@code connectTimeout}) bounds each target of a
 * blocking connect: when the loop has not seen the socket writable in time, the attempt is
 * dissolved (connect to AF_UNSPEC, which aborts a SYN_SENT socket) and the next target dialed,
 * as a refusal would be; the last one's timeout is the app's ETIMEDOUT.
 *
 * <p>Threads: {@link #connect} runs on apps' receiver threads, with their {@link Kernel};
 * attempts in progress continue on the event loop with {@code loopSockets}, which is confined to
 * it. The map of attempts in progress is concurrent; each attempt guards its waiting call.
 *
 * <p>Every stream connect that reached a decision is reported once to the {@link BridgeObserver}
 * when it ends here: at once, or when the event loop finishes a blocking one.
 */
final class ConnectCalls {
  private static final Logger log = LoggerFactory.getLogger(ConnectCalls.class);

  private final SocketPolicy policy;
  private final SocketTable sockets;
  private final Readiness readiness;
  private final HostSockets loopSockets;
  private final BridgeObserver observer;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();

  /** Whether the app's socket was blocking, which it must be again when we are done. */
  private enum Mode {
    BLOCKING,
    NON_BLOCKING
  }

  /** How a run through the targets ended. */
  private sealed interface Outcome {
    /** A target accepted. */
    record Connected() implements Outcome {}

    /** The handshake with the last target tried is still under way. */
    record InProgress() implements Outcome {}

    /** The last target tried failed with {@code errno}, and no other may be tried. */
    record Failed(int errno) implements Outcome {}
  }

  /** A blocking connect in progress on our fd copy. */
  private static final class Pending {
    final String appId;
    final long inode;
    final int fd;
    final int family;
    final int savedFlags;
    final Deque<Inet4Endpoint> remaining;
    final Notifier notifier;
    /** For the observer: where the app connected, the decision, and how many targets it had. */
    final Inet4Endpoint destination;
    final ConnectDecision decision;
    final int targetCount;
    /** How long each target may take; empty: as long as the kernel takes. */
    final Optional<Duration> timeout;
    // Guarded by this: a restarted call (on the app's receiver) may replace it while the event
    // loop finishes the attempt.
    long waitingId;
    boolean finished;

    Pending(
        String appId, long inode, int fd, int family, int savedFlags, Deque<Inet4Endpoint> rest, Notifier notifier, long waitingId,
        Inet4Endpoint destination, ConnectDecision decision, int targetCount, Optional<Duration> timeout) {
      this.timeout = timeout;
      this.destination = destination;
      this.decision = decision;
      this.targetCount = targetCount;
      this.appId = appId;
      this.inode = inode;
      this.fd = fd;
      this.family = family;
      this.savedFlags = savedFlags;
      this.remaining = rest;
      this.notifier = notifier;
      this.waitingId = waitingId;
    }
  }

  /**
   * @param readiness where blocking connects wait (the event loop)
   * @param loopSockets the loop thread's own {@link HostSockets}, for attempts that continue there
   */
  ConnectCalls(SocketPolicy policy, SocketTable sockets, Readiness readiness, HostSockets loopSockets) {
    this(policy, sockets, readiness, loopSockets, BridgeObserver.NONE, System::nanoTime);
  }

  /**
   * @param observer hears how long each decision took and how each stream connect ended
   * @param nanoClock times the decisions
   */
  ConnectCalls(SocketPolicy policy, SocketTable sockets, Readiness readiness, HostSockets loopSockets, BridgeObserver observer, LongSupplier nanoClock) {
    this.observer = observer;
    this.nanoClock = nanoClock;
    this.policy = policy;
    this.sockets = sockets;
    this.readiness = readiness;
    this.loopSockets = loopSockets;
  }

  void connect(TrappedCall call) {
    Optional<SockAddr> read = call.readCheckedAddress(call.n.arg(1), call.n.intArg(2));
    if (read.isEmpty() || joinedAttemptInProgress(call)) {
      return;
    }
    SockAddr addr = read.get();
    if (addr instanceof SockAddr.Unspec) {
      dissolve(call, addr);
      return;
    }
    Optional<Inet4Endpoint> destination = addr.inet4();
    if (destination.isEmpty()) {
      call.fail(Errno.ENETUNREACH); // native IPv6: the mesh and its hosts are IPv4
      return;
    }
    Inet4Endpoint dst = destination.get();
    long t0 = nanoClock.getAsLong();
    ConnectDecision decision = policy.connect(call.appId, call.transport(), dst);
    observer.connectDecided(nanoClock.getAsLong() - t0);
    if (decision instanceof ConnectDecision.Refuse refuse) {
      if (call.transport() == Transport.TCP) {
        observer.connectEnded(call.appId, dst, decision, 0, refuse.errno());
      }
      call.fail(refuse.errno());
      return;
    }
    SocketState state = sockets.getOrCreate(call.appId, call.inode(), call.family(), call.transport());
    if (call.transport() == Transport.UDP) {
      // A datagram socket's peer is the destination itself for a gateway: gateways carry streams.
      connectDatagram(call, state, dst, decision instanceof ConnectDecision.Targets t ? t.targets().getFirst() : dst);
    } else if (decision instanceof ConnectDecision.ViaGateway via) {
      connectStream(call, state, dst, decision, List.of(via.gateway()), Optional.of(via));
    } else {
      connectStream(call, state, dst, decision, decision instanceof ConnectDecision.Targets t ? t.targets() : List.of(dst), Optional.empty());
    }
  }

  /**
   * The app's connect was interrupted and restarted while our attempt goes on: this call gets
   * the answer when the attempt ends. False when no attempt is in progress for the socket.
   */
  private boolean joinedAttemptInProgress(TrappedCall call) {
    Pending inProgress = pending.get(call.inode());
    if (inProgress == null) {
      return false;
    }
    synchronized (inProgress) {
      if (inProgress.finished) {
        return false;
      }
      inProgress.waitingId = call.n.id();
    }
    call.answeredElsewhere();
    return true;
  }

  /** A connect to AF_UNSPEC dissolves the association: getpeername has nothing virtual to show. */
  private void dissolve(TrappedCall call, SockAddr unspec) {
    long r = call.hostSockets().connect(call.fd(), SockAddrCodec.encode(unspec));
    if (r == 0) {
      sockets.get(call.inode()).ifPresent(SocketState::dissolved);
    }
    call.answerResult(r);
  }

  /** A datagram socket's connect only sets its default peer: the first target, at once. */
  private static void connectDatagram(TrappedCall call, SocketState state, Inet4Endpoint dst, Inet4Endpoint target) {
    long r = call.hostSockets().connect(call.fd(), SockAddrCodec.encode(target, call.family()));
    if (r == 0) {
      state.connectedTo(dst);
    }
    call.answerResult(r);
  }

  /**
   * A stream socket: the targets in order, non-blocking, then the answer now or when the loop sees
   * it. Through an egress gateway ({@code via}), the gateway hears where the connection goes as
   * soon as its local address is known, before the app can send a byte.
   */
  private void connectStream(
      TrappedCall call, SocketState state, Inet4Endpoint dst, ConnectDecision decision, List<Inet4Endpoint> targets, Optional<ConnectDecision.ViaGateway> via) {
    HostSockets ops = call.hostSockets();
    int fd = call.fd();
    int flags = ops.fileFlags(fd);
    if (flags < 0) {
      call.fail(-flags);
      return;
    }
    Mode mode = (flags & Sys.O_NONBLOCK) == 0 ? Mode.BLOCKING : Mode.NON_BLOCKING;
    if (mode == Mode.BLOCKING) {
      ops.setFileFlags(fd, flags | Sys.O_NONBLOCK);
    }
    Deque<Inet4Endpoint> rest = new ArrayDeque<>(targets);
    Outcome outcome = failover(ops, fd, call.family(), rest, Errno.ECONNREFUSED, call.appId);
    if (via.isPresent() && (outcome instanceof Outcome.Connected || outcome instanceof Outcome.InProgress)) {
      Optional<Inet4Endpoint> local = ops.localAddress(fd);
      if (local.isEmpty()) {
        restore(ops, fd, mode, flags);
        observer.connectEnded(call.appId, dst, decision, targets.size() - rest.size(), Errno.ECONNREFUSED);
        call.fail(Errno.ECONNREFUSED); // cannot tell the gateway which connection is which
        return;
      }
      policy.connectingViaGateway(call.appId, local.get(), via.get().gateway(), via.get().destination());
    }
    switch (outcome) {
      case Outcome.Connected c -> {
        state.connectedTo(dst);
        restore(ops, fd, mode, flags);
        ended(ops, fd, call.appId, dst, decision, targets.size() - rest.size(), 0);
        call.answer(0);
      }
      case Outcome.InProgress p when mode == Mode.NON_BLOCKING -> {
        // The kernel's answer for a non-blocking socket; a remote target that refuses later is
        // the app's to see, as without ax.
        state.connectedTo(dst);
        ended(ops, fd, call.appId, dst, decision, targets.size() - rest.size(), Errno.EINPROGRESS);
        call.fail(Errno.EINPROGRESS);
      }
      case Outcome.InProgress p -> {
        state.connectedTo(dst);
        Pending attempt = new Pending(
            call.appId, call.inode(), call.detachFd(), call.family(), flags, rest, call.kernel.notifier().anyThread(), call.n.id(), dst, decision, targets.size(),
            decision instanceof ConnectDecision.Targets t ? t.connectTimeout() : Optional.empty());
        call.answeredElsewhere();
        watch(attempt, ops);
      }
      case Outcome.Failed f when f.errno() == Errno.EISCONN && state.virtualPeer().equals(Optional.of(dst)) -> {
        // A restarted connect that had already succeeded.
        restore(ops, fd, mode, flags);
        call.answer(0);
      }
      case Outcome.Failed f -> {
        restore(ops, fd, mode, flags);
        if (f.errno() != Errno.EALREADY) {
          // EALREADY: a non-blocking app asked again while its reported attempt goes on.
          observer.connectEnded(call.appId, dst, decision, targets.size() - rest.size(), f.errno());
        }
        call.fail(f.errno());
      }
    }
  }

  /**
   * Tries the {@code rest} of the targets in order for as long as the last error ({@code errno}
   * to begin with) is one after which another backend may well work.
   */
  private static Outcome failover(HostSockets ops, int fd, int family, Deque<Inet4Endpoint> rest, int errno, String appId) {
    int last = errno;
    while (retryable(last) && !rest.isEmpty()) {
      Inet4Endpoint target = rest.pollFirst();
      long r = attempt(ops, fd, target, family);
      if (r == -Errno.EINPROGRESS) {
        // A local target has usually answered within connect() itself: take its answer now,
        // which also lets a refusal fail over for non-blocking sockets.
        r = settle(ops, fd, target, family);
      }
      if (r == 0) {
        return new Outcome.Connected();
      }
      if (r == -Errno.EINPROGRESS) {
        return new Outcome.InProgress();
      }
      last = (int) -r;
      if (retryable(last) && !rest.isEmpty()) {
        log.debug("[bridge] app {}: {} refused ({}), trying the next target", appId, target, Errno.describe(last));
      }
    }
    return new Outcome.Failed(last);
  }

  /**
   * One connect to {@code target}. After a failed attempt whose error was read (SO_ERROR), the
   * kernel answers the next connect with ECONNABORTED once while it resets the socket
   * ({@code __inet_stream_connect}); the attempt after that is a fresh one.
   */
  private static long attempt(HostSockets ops, int fd, Inet4Endpoint target, int family) {
    byte[] encoded = SockAddrCodec.encode(target, family);
    long r = ops.connect(fd, encoded);
    return r == -Errno.ECONNABORTED ? ops.connect(fd, encoded) : r;
  }

  /**
   * The outcome of a connect that answered EINPROGRESS, when it is known already: asked again,
   * the kernel answers 0 once the handshake is done, the error once it failed (and leaves the
   * socket ready for a fresh attempt), and EALREADY while it is still in progress
   * ({@code __inet_stream_connect}), which is EINPROGRESS to the caller. One system call where
   * poll(2) and SO_ERROR took two.
   */
  private static long settle(HostSockets ops, int fd, Inet4Endpoint target, int family) {
    long r = ops.connect(fd, SockAddrCodec.encode(target, family));
    return r == -Errno.EALREADY ? -Errno.EINPROGRESS : r;
  }

  /** Waits for the socket on the loop; {@code ops} belongs to the calling thread. */
  private void watch(Pending p, HostSockets ops) {
    pending.put(p.inode, p);
    try {
      if (p.timeout.isPresent()) {
        readiness.onceWritable(p.fd, p.timeout.get(), () -> progress(p), () -> timedOut(p));
      } else {
        readiness.onceWritable(p.fd, () -> progress(p));
      }
    } catch (SysCallException e) {
      pending.remove(p.inode);
      finish(p, -e.errno(), ops);
    }
  }

  /** On the loop: the socket became writable, connected or failed (then the next target). */
  private void progress(Pending p) {
    int errno = soError(p.fd);
    if (errno == 0) {
      finish(p, 0, loopSockets);
      return;
    }
    switch (failover(loopSockets, p.fd, p.family, p.remaining, errno, p.appId)) {
      case Outcome.Connected c -> finish(p, 0, loopSockets);
      case Outcome.InProgress i -> watch(p, loopSockets);
      case Outcome.Failed f -> finish(p, -f.errno(), loopSockets);
    }
  }

  /**
   * On the loop: the target did not answer within the connect timeout. The half-open attempt is
   * dissolved (AF_UNSPEC: the kernel drops the SYN_SENT state and the port it bound) so that the
   * socket can dial the next target, which is then tried as after a refusal.
   */
  private void timedOut(Pending p) {
    int dialed = p.targetCount - p.remaining.size();
    log.debug("[bridge] app {}: target {} of {} did not answer within {} ms", p.appId, dialed, p.destination, p.timeout.map(Duration::toMillis).orElse(0L));
    long r = loopSockets.connect(p.fd, SockAddrCodec.encode(new SockAddr.Unspec()));
    if (r != 0) {
      finish(p, r, loopSockets);
      return;
    }
    switch (failover(loopSockets, p.fd, p.family, p.remaining, Errno.ETIMEDOUT, p.appId)) {
      case Outcome.Connected c -> finish(p, 0, loopSockets);
      case Outcome.InProgress i -> watch(p, loopSockets);
      case Outcome.Failed f -> finish(p, -f.errno(), loopSockets);
    }
  }

  /** The pending error of a finished connect: 0 or an errno. */
  private int soError(int fd) {
    int err = loopSockets.intOption(fd, Sys.SO_ERROR);
    return err < 0 ? -err : err;
  }

  private void finish(Pending p, long result, HostSockets ops) {
    long id;
    synchronized (p) {
      p.finished = true;
      id = p.waitingId;
    }
    pending.remove(p.inode);
    ops.setFileFlags(p.fd, p.savedFlags);
    ended(ops, p.fd, p.appId, p.destination, p.decision, p.targetCount - p.remaining.size(), (int) -result);
    ops.close(p.fd);
    if (result == 0) {
      p.notifier.answer(id, 0);
    } else {
      p.notifier.fail(id, (int) -result);
    }
  }

  /**
   * Tells the observer how a connect ended and, for one that connected (or is connecting), that
   * the connection opened, with its socket's cookie when the observer follows connections.
   */
  private void ended(HostSockets ops, int fd, String appId, Inet4Endpoint dst, ConnectDecision decision, int dialed, int errno) {
    observer.connectEnded(appId, dst, decision, dialed, errno);
    if ((errno == 0 || errno == Errno.EINPROGRESS) && observer.followsConnections()) {
      long cookie = ops.cookie(fd);
      observer.opened(appId, dst, decision, dialed, cookie < 0 ? 0 : cookie);
    }
  }

  /** Errors after which another backend may well work. */
  private static boolean retryable(int errno) {
    return errno == Errno.ECONNREFUSED || errno == Errno.ECONNABORTED || errno == Errno.ETIMEDOUT || errno == Errno.EHOSTUNREACH || errno == Errno.ENETUNREACH || errno == Errno.ECONNRESET;
  }

  private static void restore(HostSockets ops, int fd, Mode mode, int flags) {
    if (mode == Mode.BLOCKING) {
      ops.setFileFlags(fd, flags);
    }
  }
}
