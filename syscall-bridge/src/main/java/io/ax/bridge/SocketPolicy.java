package io.ax.bridge;

import io.ax.bridge.net.Inet4Endpoint;
import java.util.List;

/**
 * What the bridge asks the dataplane: who an app is, where a bind really goes, where a connect
 * may go, and which listening sockets exist. The bridge knows sockets and system calls; this is
 * where the mesh's rules live (the dependency points from the core to the bridge, never back).
 *
 * <p>Implementations are thread-safe and quick: they are called on the notification loop while
 * a trapped thread waits. Only {@link #published} and {@link #withdrawn} may write state.
 */
public interface SocketPolicy {

  /**
   * Admits an app that {@code ax run} registers.
   *
   * @throws RegistrationRefusedException with one line for the user, naming the bad value
   */
  AppGrant register(Registration registration) throws RegistrationRefusedException;

  /** The app is gone (its supervisor hung up): forget it and everything it published. */
  void unregister(String appId);

  /** Where a bind to the (virtual) {@code requested} address really goes. */
  BindDecision bind(String appId, Transport transport, Inet4Endpoint requested);

  /**
   * A real address from {@link #bind} is no longer used (the kernel refused the bind, or the
   * socket closed without ever serving): give its port back.
   */
  void released(String appId, Transport transport, Inet4Endpoint real);

  /**
   * The kernel refused the real bind to a {@link PortChoice#PICKED} address with EADDRINUSE:
   * something outside this daemon holds the port (a native program, another daemon's app, a
   * connection in TIME_WAIT). The policy takes the port back and keeps it out of its next
   * answers for a while; the bridge then asks {@link #bind} again.
   */
  void busy(String appId, Transport transport, Inet4Endpoint real);

  /** A socket now serves (TCP listen, UDP bind): the service table gains an entry. */
  void published(String appId, long inode, Transport transport, Inet4Endpoint virtual, Inet4Endpoint real, int backlog);

  /** A published socket was closed: its entry goes. Harmless for unknown inodes. */
  void withdrawn(String appId, long inode);

  /** Where a connect (or a datagram) to {@code destination} may go. */
  ConnectDecision connect(String appId, Transport transport, Inet4Endpoint destination);

  /**
   * A stream socket is being connected to an egress gateway for {@code destination} (after a
   * {@link ConnectDecision.ViaGateway}): its local address is known now, before the app hears of
   * the connect, so the gateway can be told where the connection from {@code local} goes.
   */
  default void connectingViaGateway(String appId, Inet4Endpoint local, Inet4Endpoint gateway, Inet4Endpoint destination) {}

  /**
   * A socket's transport, and the transport of a service table entry. The daemon persists it and
   * sends it on the admin API through explicit mappings (the admin {@code Protocol} enum), never
   * by ordinal or name. Append-only.
   */
  enum Transport {
    TCP,
    UDP;

    /** {@code tcp}, as the tables and logs show it. */
    public String display() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * What {@code ax run} told about the app; {@code appId} is empty for a new app. {@code uid},
   * {@code gid} and {@code groups} are the kernel's word on who registers ({@code SO_PEERCRED},
   * {@code SO_PEERGROUPS}), never the launcher's.
   */
  record Registration(
      String appId, int appPid, int supervisorPid, int uid, String ip, String name, String labels, List<String> expose, String user, boolean newNetns,
      int gid, List<Integer> groups) {
    public Registration {
      expose = List.copyOf(expose);
      groups = List.copyOf(groups);
    }
  }

  /** An admitted app: its id and the IP it is known by. */
  record AppGrant(String appId, int appIp) {}

  /** Who chose the port of a {@link BindDecision.Real}, which says what a busy port means. */
  enum PortChoice {
    /**
     * The policy picked it (from its pool) for an app that asked for a virtual port: any other
     * port serves as well, so on EADDRINUSE the bridge reports {@link #busy} and asks again, and
     * it binds exclusively (see the bridge) so that nobody shares the port unseen.
     */
    PICKED,
    /** The port is the one asked for (an {@code --expose} mapping): EADDRINUSE goes to the app, as the kernel's answer. */
    FIXED
  }

  sealed interface BindDecision {
    /** Bind the socket to {@code real}; the app sees {@code virtual}. */
    record Real(Inet4Endpoint real, Inet4Endpoint virtual, PortChoice choice) implements BindDecision {
      public Real {
        java.util.Objects.requireNonNull(real, "real");
        java.util.Objects.requireNonNull(virtual, "virtual");
        java.util.Objects.requireNonNull(choice, "choice");
      }
    }

    /** Fail the bind with {@code errno}. */
    record Refuse(int errno) implements BindDecision {}
  }

  /**
   * What a {@code connect()} (or a datagram) to a destination should do: the one decision type of
   * ax, made by the daemon's connect decision and carried out by the bridge. The strings
   * ({@code via}, {@code reason}) are opaque to the bridge: they are for logs and tests, never
   * shown to the app.
   */
  sealed interface ConnectDecision {
    /** The destination is outside the mesh: connect to it as asked. */
    ConnectDecision DIRECT = new Direct();

    /** The destination is outside the mesh: connect to it as asked. */
    record Direct() implements ConnectDecision {}

    /**
     * Dial the targets in order: the first is the load balancer's pick, the rest are tried when
     * a target refuses, before the app hears anything.
     *
     * @param via what was balanced: a vservice name, {@code name/subset}, an implicit service
     *     address, or the app's own loopback
     * @param connectTimeout how long the bridge waits for each target of a blocking connect
     *     before it gives up on it (ETIMEDOUT) and dials the next (Envoy's cluster
     *     {@code connect_timeout}); empty: as long as the kernel does. A non-blocking connect
     *     that the app was told is in progress is the app's to time out, as without ax.
     */
    record Targets(String via, List<Inet4Endpoint> targets, java.util.Optional<java.time.Duration> connectTimeout) implements ConnectDecision {
      public Targets {
        java.util.Objects.requireNonNull(via, "via");
        java.util.Objects.requireNonNull(connectTimeout, "connectTimeout");
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
          throw new IllegalArgumentException("Targets needs at least one target");
        }
        if (connectTimeout.isPresent() && (connectTimeout.get().isNegative() || connectTimeout.get().isZero())) {
          throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout.get());
        }
      }

      /** Targets with no timeout of the mesh: a blocking connect waits as long as the kernel does. */
      public Targets(String via, List<Inet4Endpoint> targets) {
        this(via, targets, java.util.Optional.empty());
      }
    }

    /**
     * The destination is outside the mesh and the cluster has an egress gateway: connect a stream
     * socket to {@code gateway}, which carries it on to {@code destination}; the app sees
     * {@code destination} as its peer. A datagram goes to {@code destination} directly.
     */
    record ViaGateway(Inet4Endpoint gateway, Inet4Endpoint destination) implements ConnectDecision {
      public ViaGateway {
        java.util.Objects.requireNonNull(gateway, "gateway");
        java.util.Objects.requireNonNull(destination, "destination");
      }
    }

    /**
     * Fail with {@code errno} (one of {@link io.ax.bridge.sys.Errno}'s); {@code reason} says why,
     * for logs, and {@code cause} says it for metrics.
     */
    record Refuse(int errno, String reason, Cause cause) implements ConnectDecision {
      public Refuse {
        java.util.Objects.requireNonNull(reason, "reason");
        java.util.Objects.requireNonNull(cause, "cause");
      }

      /** A refusal for another cause than the label ACL or a missing backend. */
      public Refuse(int errno, String reason) {
        this(errno, reason, Cause.OTHER);
      }

      /** Why a connect was refused, as metrics count it. Append-only. */
      public enum Cause {
        /** The label ACL: the client shares no label with any backend. */
        ACCESS,
        /** Nothing serves the destination: no backend, or a mesh address at a port nobody serves. */
        NO_BACKEND,
        /** Anything else (an unregistered app...). */
        OTHER,
        /** Outside the mesh, where the node's outbound policy (REGISTRY_ONLY) lets nothing go. */
        OUTSIDE,
        /** The vservice's connection limit (Istio's {@code maxConnections}, a circuit breaker) is reached on this node. */
        OVERFLOW
      }
    }
  }

  /** A registration the dataplane refused; the message is one line for the user. */
  final class RegistrationRefusedException extends Exception {
    public RegistrationRefusedException(String message) {
      super(message);
    }
  }
}
