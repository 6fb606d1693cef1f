package io.ax.bridge.server;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import java.util.Objects;
import java.util.Optional;

/**
 * What the bridge remembers of one app socket, keyed by its inode: how it was made, its local
 * {@link Phase} (the virtual address the app sees in getsockname and the real one it is bound
 * to, and whether it serves) and its virtual {@link Peer} (getpeername). Thread-safe: the phase
 * and the peer are guarded by the object's monitor, since a socket's calls may come from several
 * threads of the app at once; everything else is final.
 */
final class SocketState {
  final String appId;
  final long inode;
  final Transport transport;
  final Origin origin;
  final long createdNanos;
  private Phase phase = new Phase.Unbound();
  private Peer peer = new Peer.None();

  /** How the bridge came to know the socket, which says what it knows of its shape. */
  sealed interface Origin {
    int family();

    /**
     * The bridge made the socket itself: its family and kernel type (SOCK_STREAM...) are known,
     * so later calls on it need not ask the kernel what it is.
     */
    record Made(int family, int type) implements Origin {}

    /**
     * First seen at a call on it (the family that call found), or restored from the saved state
     * (family 0, a stand-in): the kernel is asked what it is.
     */
    record Seen(int family) implements Origin {}
  }

  /** The local side of the socket. */
  sealed interface Phase {
    /** Nothing virtual to show: getsockname is the kernel's. */
    record Unbound() implements Phase {}

    /** Bound to {@code real}; the app sees {@code virtual}. */
    record Bound(Inet4Endpoint virtual, Inet4Endpoint real) implements Phase {
      public Bound {
        Objects.requireNonNull(virtual, "virtual");
        Objects.requireNonNull(real, "real");
      }
    }

    /**
     * An IPv6-only socket bound to {@code ::} port {@code port}: the mesh is IPv4, so it serves
     * nothing and is never published (see {@code AddressCalls}); getsockname shows {@code ::}.
     */
    record Ipv6Only(int port) implements Phase {}

    /** Bound, and serving since {@code sinceNanos}: the service table has its entry. */
    record Published(Inet4Endpoint virtual, Inet4Endpoint real, long sinceNanos) implements Phase {
      public Published {
        Objects.requireNonNull(virtual, "virtual");
        Objects.requireNonNull(real, "real");
      }
    }
  }

  /** The remote side of the socket, as the app sees it. */
  sealed interface Peer {
    /** Not connected through the bridge (or dissolved with AF_UNSPEC): getpeername is the kernel's. */
    record None() implements Peer {}

    /** Connected to what the app asked for, {@code address}, whatever backend the bridge chose. */
    record Virtual(Inet4Endpoint address) implements Peer {
      public Virtual {
        Objects.requireNonNull(address, "address");
      }
    }
  }

  SocketState(String appId, long inode, Transport transport, Origin origin, long createdNanos) {
    this.appId = Objects.requireNonNull(appId, "appId");
    this.inode = inode;
    this.transport = Objects.requireNonNull(transport, "transport");
    this.origin = Objects.requireNonNull(origin, "origin");
    this.createdNanos = createdNanos;
  }

  int family() {
    return origin.family();
  }

  synchronized Phase phase() {
    return phase;
  }

  synchronized Peer peer() {
    return peer;
  }

  /** The IPv6-only socket is bound to {@code ::} port {@code port}, which serves nothing in the mesh. */
  synchronized void boundIpv6Only(int port) {
    this.phase = new Phase.Ipv6Only(port);
  }

  /** The socket is bound to {@code real} for the app's {@code virtual}; a published one stays published. */
  synchronized void bound(Inet4Endpoint virtual, Inet4Endpoint real) {
    this.phase = phase instanceof Phase.Published p ? new Phase.Published(virtual, real, p.sinceNanos()) : new Phase.Bound(virtual, real);
  }

  synchronized Optional<Inet4Endpoint> virtualLocal() {
    return switch (phase) {
      case Phase.Unbound u -> Optional.empty();
      // The any address: on an IPv6 socket it reads :: (SockAddrCodec.encodeBind).
      case Phase.Ipv6Only i -> Optional.of(new Inet4Endpoint(0, i.port()));
      case Phase.Bound b -> Optional.of(b.virtual());
      case Phase.Published p -> Optional.of(p.virtual());
    };
  }

  synchronized Optional<Inet4Endpoint> realLocal() {
    return switch (phase) {
      case Phase.Unbound u -> Optional.empty();
      case Phase.Ipv6Only i -> Optional.empty();
      case Phase.Bound b -> Optional.of(b.real());
      case Phase.Published p -> Optional.of(p.real());
    };
  }

  synchronized void connectedTo(Inet4Endpoint virtual) {
    this.peer = new Peer.Virtual(virtual);
  }

  /** A connect to AF_UNSPEC dissolved the association: getpeername has nothing virtual to show. */
  synchronized void dissolved() {
    this.peer = new Peer.None();
  }

  synchronized Optional<Inet4Endpoint> virtualPeer() {
    return peer instanceof Peer.Virtual v ? Optional.of(v.address()) : Optional.empty();
  }

  /**
   * Marks a bound socket published; true only the first time. An unbound socket has nothing to
   * publish (false).
   */
  synchronized boolean publish(long nowNanos) {
    if (phase instanceof Phase.Bound b) {
      phase = new Phase.Published(b.virtual(), b.real(), nowNanos);
      return true;
    }
    return false;
  }

  synchronized boolean published() {
    return phase instanceof Phase.Published;
  }
}
