package io.ax.bridge.server;

import io.ax.bridge.SocketPolicy;
import io.ax.bridge.SocketPolicy.BindDecision;
import io.ax.bridge.SocketPolicy.PortChoice;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddr;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.SysCallException;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bind}, {@code listen}, {@code getsockname}, {@code getpeername}: a bind to a virtual
 * ip:port becomes a real bind to a port the policy picks, {@code listen} (TCP) or the bind
 * (UDP) publishes a service table entry, and the names the app asks for are the virtual ones.
 * Stateless apart from the thread-safe socket table: bind and listen run on virtual threads,
 * the names on receivers, each with its own {@link Kernel}.
 */
final class AddressCalls {
  private static final Logger log = LoggerFactory.getLogger(AddressCalls.class);
  /**
   * How many picked ports one bind tries before the app hears EADDRINUSE. A pool port may be
   * held outside this daemon; the likeliest run of them is a second daemon on the same range,
   * whose next-fit walk starts at the same first port, so a run as long as its number of servers.
   * 32 binds cost well under a millisecond and cover the tests' and benchmarks' daemons.
   */
  static final int BIND_ATTEMPTS = 32;

  /** {@code [::1]:0}: where an IPv6-only socket bound to {@code ::} really goes. */
  private static final byte[] INERT_IPV6 = SockAddrCodec.encode(new SockAddr.V6(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 0, 0, 0));

  private final SocketPolicy policy;
  private final SocketTable sockets;
  private final LongSupplier nanoClock;

  /** Which name getsockname or getpeername asks for. */
  enum Side {
    LOCAL,
    PEER
  }

  AddressCalls(SocketPolicy policy, SocketTable sockets, LongSupplier nanoClock) {
    this.policy = policy;
    this.sockets = sockets;
    this.nanoClock = nanoClock;
  }

  void bind(TrappedCall call) {
    Optional<SockAddr> read = call.readCheckedAddress(call.n.arg(1), call.n.intArg(2));
    if (read.isEmpty()) {
      return;
    }
    SockAddr addr = read.get();
    if (addr instanceof SockAddr.V6 v6) {
      int ipv6Only = call.hostSockets().ipv6Only(call.fd());
      if (ipv6Only < 0) {
        call.fail(-ipv6Only);
        return;
      }
      if (ipv6Only != 0) {
        bindIpv6Only(call, v6);
        return;
      }
    }
    Optional<Inet4Endpoint> requested = addr.inet4();
    if (requested.isEmpty()) {
      // A native IPv6 address: the mesh is IPv4; nothing on this host answers for it.
      call.fail(addr instanceof SockAddr.Unspec ? Errno.EAFNOSUPPORT : Errno.EADDRNOTAVAIL);
      return;
    }
    Inet4Endpoint want = requested.get();
    if (want.port() == 0 && call.transport() == Transport.UDP) {
      // A datagram client choosing its source (resolvers do, for a random port): a real
      // ephemeral bind, nothing to publish.
      call.answerResult(bindReal(call, new Inet4Endpoint(0, 0)));
      return;
    }
    // A stream socket on port 0 takes a pool port on the node IP, as any other bind: were it
    // bound to an ephemeral port of 0.0.0.0, a listen() on it would serve outside the service
    // table and around the label ACL (issue 17). A client that binds to choose its source gets a
    // pool port as its source, which works as well.
    if (bindThroughPolicy(call, want)) {
      call.answer(0);
    }
  }

  /**
   * Binds the app's socket as the policy decides for {@code want}: true when it is bound (the
   * call not answered yet), false when the call was answered with the failure.
   */
  private boolean bindThroughPolicy(TrappedCall call, Inet4Endpoint want) {
    SocketState state = sockets.getOrCreate(call.appId, call.inode(), call.family(), call.transport());
    if (want.port() != 0 && state.virtualLocal().equals(Optional.of(want))) {
      return true; // a restarted bind that we already made
    }
    for (int attempt = 1; ; attempt++) {
      BindDecision decision = policy.bind(call.appId, call.transport(), want);
      if (decision instanceof BindDecision.Refuse refuse) {
        call.fail(refuse.errno());
        return false;
      }
      BindDecision.Real real = (BindDecision.Real) decision;
      long r = real.choice() == PortChoice.PICKED ? bindExclusive(call, real.real()) : bindReal(call, real.real());
      if (r == 0) {
        state.bound(real.virtual(), real.real());
        if (call.transport() == Transport.UDP && state.publish(nanoClock.getAsLong())) {
          policy.published(call.appId, call.inode(), Transport.UDP, real.virtual(), real.real(), 0);
        }
        return true;
      }
      if (r == -Errno.EADDRINUSE && real.choice() == PortChoice.PICKED) {
        // Another port serves the app as well: the policy skips this one and picks again.
        policy.busy(call.appId, call.transport(), real.real());
        if (attempt < BIND_ATTEMPTS) {
          continue;
        }
        log.warn("[bridge] {}: {} picked ports in a row were taken outside ax; bind fails with EADDRINUSE", call, BIND_ATTEMPTS);
      } else {
        policy.released(call.appId, call.transport(), real.real());
      }
      call.fail((int) -r);
      return false;
    }
  }

  /**
   * A bind of an IPV6_V6ONLY socket: it can carry native IPv6 only, and the mesh is IPv4. Servers
   * open one beside their IPv4 socket by default (redis' {@code bind * -::*}; memcached and
   * asyncio's {@code start_server(host=None)}, one socket per getaddrinfo answer), so the bind is
   * answered as the kernel of a node with {@code net.ipv6.conf.all.disable_ipv6=1} answers it,
   * which they all get past: {@code ::} binds (memcached gives up on any bind error but
   * EADDRINUSE); {@code ::1} and other IPv6 addresses are not the node's (EADDRNOTAVAIL, which
   * redis and asyncio skip); an IPv4-mapped address is EINVAL ({@code __inet6_bind} in
   * net/ipv6/af_inet6.c). Through the policy, {@code ::} became {@code ::ffff:NODE-IP}, which the
   * kernel refuses on such a socket with EINVAL, and the servers exited (issue 17).
   *
   * <p>The {@code ::} bind is real, so that listen, accept and epoll behave as on that node
   * (a listener that nothing in the mesh reaches: no error, no spinning), but to {@code [::1]}
   * on an ephemeral port: on {@code ::} it would serve the node's IPv6 addresses around the mesh;
   * on {@code [::1]} only the node's own processes, as they reach an app's loopback sockets on
   * 127.0.0.1. Nothing is published; getsockname shows {@code ::} and the app's port.
   */
  private void bindIpv6Only(TrappedCall call, SockAddr.V6 addr) {
    switch (addr.kind()) {
      case MAPPED -> call.fail(Errno.EINVAL);
      case LOOPBACK, NATIVE -> call.fail(Errno.EADDRNOTAVAIL);
      case ANY -> {
        int port = addr.port();
        // Port 0 is not remembered: the kernel's name then has the port it picked.
        Optional<SocketState> state = port == 0 ? Optional.empty() : Optional.of(sockets.getOrCreate(call.appId, call.inode(), call.family(), call.transport()));
        if (state.isPresent() && state.get().phase().equals(new SocketState.Phase.Ipv6Only(port))) {
          call.answer(0); // a restarted bind that we already made
          return;
        }
        long r = call.hostSockets().bind(call.fd(), INERT_IPV6);
        if (r == 0) {
          state.ifPresent(s -> s.boundIpv6Only(port));
          log.debug("[bridge] {}: IPv6-only bind to [::]:{} serves nothing in the mesh; really bound to [::1]", call, port);
        }
        call.answerResult(r);
      }
    }
  }

  /**
   * Binds to a port the policy picked so that nobody shares it unseen. An app's SO_REUSEADDR
   * would let the bind succeed beside a socket that is bound but not yet listening (the clash
   * then comes at listen(), too late to pick another port), and its SO_REUSEPORT would join a
   * root-owned listener outside ax (the daemon creates sockets as root), splitting connections
   * with a stranger. Both are off for the bind, so any holder of the port makes it fail with
   * EADDRINUSE, then set back as the app left them: it reads its own options, and they have no
   * other use on a port only this socket holds.
   */
  private static long bindExclusive(TrappedCall call, Inet4Endpoint real) {
    HostSockets ops = call.hostSockets();
    int fd = call.fd();
    int reuseAddr = ops.intOption(fd, Sys.SO_REUSEADDR);
    int reusePort = ops.intOption(fd, Sys.SO_REUSEPORT);
    if (reuseAddr < 0 || reusePort < 0) {
      return Math.min(reuseAddr, reusePort);
    }
    int cleared = clear(ops, fd, Sys.SO_REUSEADDR, reuseAddr);
    if (cleared < 0) {
      return cleared;
    }
    cleared = clear(ops, fd, Sys.SO_REUSEPORT, reusePort);
    if (cleared < 0) {
      restore(ops, fd, Sys.SO_REUSEADDR, reuseAddr);
      return cleared;
    }
    long r = bindReal(call, real);
    restore(ops, fd, Sys.SO_REUSEADDR, reuseAddr);
    restore(ops, fd, Sys.SO_REUSEPORT, reusePort);
    return r;
  }

  private static int clear(HostSockets ops, int fd, int option, int value) {
    return value == 0 ? 0 : ops.setIntOption(fd, option, 0);
  }

  private static void restore(HostSockets ops, int fd, int option, int value) {
    if (value != 0) {
      int r = ops.setIntOption(fd, option, value);
      if (r < 0) {
        log.warn("[bridge] cannot set socket option {} back on fd {}: errno {}", option, fd, -r);
      }
    }
  }

  private static long bindReal(TrappedCall call, Inet4Endpoint real) {
    return call.hostSockets().bind(call.fd(), SockAddrCodec.encodeBind(real, call.family()));
  }

  void listen(TrappedCall call) {
    int backlog = call.n.intArg(1);
    // listen() without bind(): the kernel would bind an ephemeral port of 0.0.0.0, outside the
    // service table. Bound first as a bind to port 0 is: a pool port on the node IP, published.
    Optional<Inet4Endpoint> local = call.hostSockets().localAddress(call.fd());
    if (local.isPresent() && local.get().port() == 0 && !bindThroughPolicy(call, new Inet4Endpoint(0, 0))) {
      return;
    }
    int r = call.hostSockets().listen(call.fd(), backlog);
    if (r < 0) {
      call.fail(-r);
      return;
    }
    Optional<SocketState> state = sockets.get(call.inode());
    if (state.isPresent() && state.get().publish(nanoClock.getAsLong())) {
      // publish() holds only for a bound socket: it has both addresses.
      SocketState s = state.get();
      policy.published(call.appId, call.inode(), Transport.TCP, s.virtualLocal().orElseThrow(), s.realLocal().orElseThrow(), backlog);
    }
    call.answer(0);
  }

  /** getsockname ({@link Side#LOCAL}) or getpeername ({@link Side#PEER}). */
  void name(TrappedCall call, Side side) {
    Optional<Inet4Endpoint> virtual = sockets.get(call.inode()).flatMap(s -> side == Side.PEER ? s.virtualPeer() : s.virtualLocal());
    if (virtual.isEmpty() || (side == Side.PEER && !call.hostSockets().hasPeer(call.fd()))) {
      call.proceed(); // the real answer is the right one (ENOTCONN while connecting or after a failure)
      return;
    }
    long addrPtr = call.n.arg(1);
    long lenPtr = call.n.arg(2);
    TargetProcess target = call.target();
    try {
      int len = target.readInt(call.n.pid(), lenPtr);
      if (len < 0) {
        call.fail(Errno.EINVAL);
        return;
      }
      // The local any address reads :: on an IPv6 socket, as the kernel shows it.
      byte[] encoded = side == Side.LOCAL ? SockAddrCodec.encodeBind(virtual.get(), call.family()) : SockAddrCodec.encode(virtual.get(), call.family());
      byte[] out = len >= encoded.length ? encoded : Arrays.copyOf(encoded, len);
      if (!call.stillWaiting()) {
        return;
      }
      target.write(call.n.pid(), addrPtr, out);
      target.writeInt(call.n.pid(), lenPtr, encoded.length);
      call.answer(0);
    } catch (SysCallException e) {
      call.fail(Errno.EFAULT);
    }
  }
}
