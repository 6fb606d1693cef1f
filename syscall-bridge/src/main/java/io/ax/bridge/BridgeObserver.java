package io.ax.bridge;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;

/**
 * What the bridge tells whoever counts its work (the daemon's metrics and decision log): each
 * trapped call it answered, and how each stream connect that the policy decided on ended. The
 * bridge calls it on the thread that handled the call (an app's receiver, a virtual thread, or
 * the event loop for connects that finished there), so implementations are thread-safe, quick
 * and never block: a trapped thread of the app may be waiting. Both methods do nothing by
 * default; {@link #NONE} is the observer of a bridge nobody watches.
 */
public interface BridgeObserver {
  /** Watches nothing. */
  BridgeObserver NONE = new BridgeObserver() {};

  /**
   * A trapped call was answered, or handed on ({@link Answer#DEFERRED}).
   *
   * @param nanos from the moment the bridge took the call to its answer (or hand-off)
   */
  default void answered(Syscall syscall, Answer answer, long nanos) {}

  /** The policy took {@code nanos} to decide where a connect (or a datagram's connect) goes. */
  default void connectDecided(long nanos) {}

  /**
   * A TCP connect that the policy decided on has ended, as far as the bridge sees it: refused by
   * the decision, connected, failed, or left in progress for a non-blocking socket (then
   * {@code errno} is EINPROGRESS and the kernel tells the app the rest). Not called for restarts
   * of a connect already reported, nor for datagram sockets.
   *
   * @param destination the address the app connected to (a virtual one, or outside the mesh)
   * @param decision what the policy decided
   * @param dialed how many targets were dialed (0 for a refused decision); the last one dialed is
   *     {@code targets().get(dialed - 1)} of a {@link ConnectDecision.Targets}, and more than one
   *     means a target refused and the next one was tried
   * @param errno 0 when connected, else the error the app sees
   */
  default void connectEnded(String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed, int errno) {}

  /**
   * Whether this observer follows connections after they open ({@link #opened}): then the bridge
   * reads each connected socket's cookie, one more system call per connect.
   */
  default boolean followsConnections() {
    return false;
  }

  /**
   * A TCP connect that the policy decided on is connected, or in progress for a non-blocking
   * socket (after {@link #connectEnded} for it). Only when {@link #followsConnections}.
   *
   * @param cookie the kernel's socket cookie ({@code SO_COOKIE}), which {@code sock_diag} reports
   *     for the socket until it is freed; 0 when it could not be read
   */
  default void opened(String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed, long cookie) {}

  /** The trapped system calls, as metrics name them. Append-only. */
  enum Syscall {
    SOCKET,
    BIND,
    LISTEN,
    CONNECT,
    GETSOCKNAME,
    GETPEERNAME,
    SENDTO,
    SENDMSG,
    SENDMMSG,
    /**
     * {@code dup}, {@code dup2}, {@code dup3} and {@code fcntl(F_DUPFD...)} of an fd in the
     * app's datagram range to a number that may be below it (the launcher's filter.c).
     */
    DUP,
    /** A call the filter should not have sent: let the kernel run it. */
    OTHER;

    /** {@code connect}, as labels show it. */
    public String display() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** How the bridge answered a call. Append-only. */
  enum Answer {
    /** With a return value (success). */
    VALUE,
    /** With an errno. */
    ERRNO,
    /** The kernel ran the call as made (not an inet socket, or not ours). */
    CONTINUE,
    /** Handed on: a blocking connect answered later by the event loop. */
    DEFERRED,
    /** Nobody waited any more (the thread was interrupted, or exited): no answer was needed. */
    GONE;

    /** {@code errno}, as labels show it. */
    public String display() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
