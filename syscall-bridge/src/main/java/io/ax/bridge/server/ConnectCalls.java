package io.ax.bridge.server;

import io.ax.bridge.SocketPolicy;
import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddr;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.seccomp.Notification;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Libc;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.SysCallException;
import io.ax.bridge.sys.Target;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code connect}: the policy decides where a virtual destination goes, and the daemon connects
 * the app's socket itself (on its fd copy), so the app's memory is read once and never trusted
 * again. A target that refuses is followed by the next before the app hears anything.
 *
 * <p>A non-blocking socket gets EINPROGRESS as the kernel would answer. A blocking one is made
 * non-blocking for the attempt and watched on the event loop, so one slow connect never holds
 * up another app; the app's thread waits in the kernel until we answer. A restarted connect
 * (the app took a signal) joins the attempt in progress. Called on apps' receiver threads;
 * attempts in progress complete on the event loop.
 */
final class ConnectCalls {
  private static final Logger log = LoggerFactory.getLogger(ConnectCalls.class);

  private final SocketPolicy policy;
  private final SocketTable sockets;
  private final EventLoop loop;
  private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();

  /** A blocking connect in progress on our fd copy. */
  private final class Pending {
    final AppSession app;
    final long inode;
    final int fd;
    final int family;
    final int savedFlags;
    final Deque<Inet4Endpoint> remaining;
    final Inet4Endpoint destination;
    // Guarded by this: a restarted call (on the app's thread) may replace it while the event
    // loop finishes the attempt.
    Notification waiting;
    boolean finished;
    volatile long token;

    Pending(AppSession app, long inode, int fd, int family, int savedFlags, List<Inet4Endpoint> rest, Inet4Endpoint destination, Notification waiting) {
      this.app = app;
      this.inode = inode;
      this.fd = fd;
      this.family = family;
      this.savedFlags = savedFlags;
      this.remaining = new ArrayDeque<>(rest);
      this.destination = destination;
      this.waiting = waiting;
    }
  }

  ConnectCalls(SocketPolicy policy, SocketTable sockets, EventLoop loop) {
    this.policy = policy;
    this.sockets = sockets;
    this.loop = loop;
  }

  void connect(TrappedCall call) {
    Optional<SockAddr> read = call.readCheckedAddress(call.n.arg(1), call.n.intArg(2));
    if (read.isEmpty()) {
      return;
    }
    SockAddr addr = read.get();
    Pending inProgress = pending.get(call.inode());
    if (inProgress != null) {
      synchronized (inProgress) {
        if (!inProgress.finished) {
          // The app's connect was interrupted and restarted: answer this call when the attempt ends.
          inProgress.waiting = call.n;
          call.answeredElsewhere();
          return;
        }
      }
    }
    Optional<Inet4Endpoint> destination = addr.inet4();
    if (addr instanceof SockAddr.Unspec) {
      long r = connectTo(call.fd(), SockAddrCodec.encode(addr));
      SocketState known = sockets.get(call.inode());
      if (r == 0 && known != null) {
        known.connectedTo(null); // dissolved: getpeername has nothing virtual to show
      }
      call.answerResult(r);
      return;
    }
    if (destination.isEmpty()) {
      call.fail(Errno.ENETUNREACH); // native IPv6: the mesh and its hosts are IPv4
      return;
    }
    Inet4Endpoint dst = destination.get();
    ConnectDecision decision = policy.connect(call.app.appId(), call.transport(), dst);
    if (decision instanceof ConnectDecision.Refuse refuse) {
      call.fail(refuse.errno());
      return;
    }
    List<Inet4Endpoint> targets = decision instanceof ConnectDecision.Targets t ? t.targets() : List.of(dst);
    SocketState state = sockets.getOrCreate(call.app.appId(), call.inode(), call.family(), call.transport());
    if (call.transport() == Transport.UDP) {
      long r = connectTo(call.fd(), SockAddrCodec.encode(targets.getFirst(), call.family()));
      if (r == 0) {
        state.connectedTo(dst);
      }
      call.answerResult(r);
      return;
    }
    int flags = Libc.fcntl(call.fd(), Sys.F_GETFL, 0);
    if (flags < 0) {
      call.fail(-flags);
      return;
    }
    boolean blocking = (flags & Sys.O_NONBLOCK) == 0;
    if (blocking) {
      Libc.fcntl(call.fd(), Sys.F_SETFL, flags | Sys.O_NONBLOCK);
    }
    Deque<Inet4Endpoint> rest = new ArrayDeque<>(targets);
    long last = -Errno.ECONNREFUSED;
    while (!rest.isEmpty()) {
      Inet4Endpoint target = rest.pollFirst();
      last = attempt(call.fd(), target, call.family());
      if (last == -Errno.EINPROGRESS) {
        // A local target has usually answered within connect() itself: take its answer now,
        // which also lets a refusal fail over for non-blocking sockets.
        last = settle(call.fd(), target, call.family());
      }
      if (last == 0) {
        state.connectedTo(dst);
        restore(call.fd(), blocking, flags);
        call.answer(0);
        return;
      }
      if (last == -Errno.EINPROGRESS) {
        state.connectedTo(dst);
        if (!blocking) {
          // The kernel's answer for a non-blocking socket; a remote target that refuses later is
          // the app's to see, as without ax.
          call.fail(Errno.EINPROGRESS);
          return;
        }
        Pending p = new Pending(call.app, call.inode(), call.detachFd(), call.family(), flags, List.copyOf(rest), dst, call.n);
        watch(p);
        call.answeredElsewhere();
        return;
      }
      if (last == -Errno.EISCONN && dst.equals(state.virtualPeer())) {
        // A restarted connect that had already succeeded.
        restore(call.fd(), blocking, flags);
        call.answer(0);
        return;
      }
      if (!retryable((int) -last)) {
        break;
      }
      log.debug("[bridge] {}: {} refused ({}), trying the next target", call.app, target, Errno.describe((int) -last));
    }
    restore(call.fd(), blocking, flags);
    call.fail((int) -last);
  }

  /**
   * One connect to {@code target}. After a failed attempt whose error was read (SO_ERROR), the
   * kernel answers the next connect with ECONNABORTED once while it resets the socket
   * ({@code __inet_stream_connect}); the attempt after that is a fresh one.
   */
  private static long attempt(int fd, Inet4Endpoint target, int family) {
    byte[] encoded = SockAddrCodec.encode(target, family);
    long r = connectTo(fd, encoded);
    return r == -Errno.ECONNABORTED ? connectTo(fd, encoded) : r;
  }

  /**
   * The outcome of a connect that answered EINPROGRESS, when it is known already: asked again,
   * the kernel answers 0 once the handshake is done, the error once it failed (and leaves the
   * socket ready for a fresh attempt), and EALREADY while it is still in progress
   * ({@code __inet_stream_connect}), which is EINPROGRESS to the caller. One system call where
   * poll(2) and SO_ERROR took two.
   */
  private static long settle(int fd, Inet4Endpoint target, int family) {
    long r = connectTo(fd, SockAddrCodec.encode(target, family));
    return r == -Errno.EALREADY ? -Errno.EINPROGRESS : r;
  }

  /** The pending error of a finished connect: 0 or an errno. */
  private static int soError(int fd) {
    int err = Target.intOpt(fd, Sys.SO_ERROR);
    return err < 0 ? -err : err;
  }

  private void watch(Pending p) {
    pending.put(p.inode, p);
    p.token = loop.nextToken(); // known before the handler can run
    try {
      loop.add(p.token, p.fd, Sys.EPOLLOUT | Sys.EPOLLONESHOT, events -> progress(p));
    } catch (SysCallException e) {
      pending.remove(p.inode);
      finish(p, -e.errno());
    }
  }

  /** The socket became writable: connected, or failed (then the next target). */
  private void progress(Pending p) {
    loop.remove(p.fd, p.token);
    int errno = soError(p.fd);
    if (errno == 0) {
      finish(p, 0);
      return;
    }
    while (retryable(errno) && !p.remaining.isEmpty()) {
      Inet4Endpoint next = p.remaining.pollFirst();
      log.debug("[bridge] {}: a target refused ({}), trying {}", p.app, Errno.describe(errno), next);
      long r = attempt(p.fd, next, p.family);
      if (r == -Errno.EINPROGRESS) {
        r = settle(p.fd, next, p.family);
      }
      if (r == 0) {
        finish(p, 0);
        return;
      }
      if (r == -Errno.EINPROGRESS) {
        watch(p);
        return;
      }
      errno = (int) -r;
    }
    finish(p, -errno);
  }

  private void finish(Pending p, long result) {
    Notification n;
    synchronized (p) {
      p.finished = true;
      n = p.waiting;
    }
    pending.remove(p.inode);
    Libc.fcntl(p.fd, Sys.F_SETFL, p.savedFlags);
    Libc.close(p.fd);
    if (result == 0) {
      p.app.listener().answer(n.id(), 0);
    } else {
      p.app.listener().fail(n.id(), (int) -result);
    }
  }

  /** Errors after which another backend may well work. */
  private static boolean retryable(int errno) {
    return errno == Errno.ECONNREFUSED || errno == Errno.ECONNABORTED || errno == Errno.ETIMEDOUT || errno == Errno.EHOSTUNREACH || errno == Errno.ENETUNREACH || errno == Errno.ECONNRESET;
  }

  private static void restore(int fd, boolean blocking, int flags) {
    if (blocking) {
      Libc.fcntl(fd, Sys.F_SETFL, flags);
    }
  }

  private static final ThreadLocal<MemorySegment> ADDR = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SockAddrCodec.MAX_SIZE));

  private static long connectTo(int fd, byte[] encoded) {
    MemorySegment a = ADDR.get();
    MemorySegment.copy(encoded, 0, a, ValueLayout.JAVA_BYTE, 0, encoded.length);
    return Libc.connect(fd, a, encoded.length);
  }

}
