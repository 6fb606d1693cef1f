package io.ax.core.proxy;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node as the cluster's egress gateway ({@code ax daemon --egress-gateway}): a proxy
 * listener on NODE-IP:{@link #DEFAULT_PORT} that carries mesh programs' connections to
 * destinations outside the mesh. The client's node connects the app's socket here instead of to
 * the destination, and tells this node (a cluster message, {@link #announce}) where the
 * connection from its local address goes; the app sees a normal connection to the destination.
 *
 * <p>The announcement and the connection race (they take different paths): whichever comes
 * second completes the pair. A connection with no announcement within {@link #WAIT} is reset, so
 * the listener relays only what a cluster member asked for and is no open proxy; announcements
 * nobody connects for are forgotten after {@link #ANNOUNCED_FOR}.
 */
public final class EgressGateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EgressGateway.class);
  /** Next to the federation gateway's 6660, which AppSwitch's documents give. */
  public static final int DEFAULT_PORT = 6661;
  /** How long an accepted connection waits for its announcement: a cluster message takes a millisecond. */
  static final Duration WAIT = Duration.ofSeconds(2);
  /** How long an announcement waits for its connection (a connect under a lost SYN takes 1-3 s). */
  static final Duration ANNOUNCED_FOR = Duration.ofSeconds(10);
  /** Announcements kept at most: a member that floods them loses the oldest, nothing else. */
  static final int MAX_ANNOUNCED = 100_000;

  private record Announced(Inet4Endpoint destination, long at) {}

  private final Map<Inet4Endpoint, Announced> announced = new ConcurrentHashMap<>();
  private final Map<Inet4Endpoint, CompletableFuture<ConnectDecision>> waiting = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ax-egress-timer").factory());
  private final TcpProxies.Listener listener;

  private EgressGateway(TcpProxies proxies, Inet4Endpoint at) throws TcpProxies.BindFailedException {
    this.listener = proxies.listen(at, this::route);
    timer.scheduleWithFixedDelay(this::forgetStale, ANNOUNCED_FOR.toSeconds(), ANNOUNCED_FOR.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * Listens on {@code at} (this node's IP and the egress port).
   *
   * @throws TcpProxies.BindFailedException when the port cannot be bound
   */
  public static EgressGateway start(TcpProxies proxies, Inet4Endpoint at) throws TcpProxies.BindFailedException {
    EgressGateway g = new EgressGateway(proxies, at);
    log.info("[egress] this node is an egress gateway on {}", g.listener.address());
    return g;
  }

  public Inet4Endpoint address() {
    return listener.address();
  }

  /** A member says: the connection from {@code source} goes on to {@code destination}. */
  public void announce(Inet4Endpoint source, Inet4Endpoint destination) {
    CompletableFuture<ConnectDecision> connected = waiting.remove(source);
    if (connected != null) {
      connected.complete(targets(destination));
      return;
    }
    if (announced.size() >= MAX_ANNOUNCED) {
      forgetStale();
    }
    if (announced.size() < MAX_ANNOUNCED) {
      announced.put(source, new Announced(destination, System.nanoTime()));
    }
  }

  private CompletionStage<ConnectDecision> route(Inet4Endpoint client) {
    Announced a = announced.remove(client);
    if (a != null) {
      return CompletableFuture.completedFuture(targets(a.destination()));
    }
    CompletableFuture<ConnectDecision> f = new CompletableFuture<>();
    waiting.put(client, f);
    // The announcement may have come between the lookup and the wait.
    Announced late = announced.remove(client);
    if (late != null && waiting.remove(client, f)) {
      f.complete(targets(late.destination()));
      return f;
    }
    timer.schedule(() -> {
      if (waiting.remove(client, f)) {
        f.complete(new ConnectDecision.Refuse(Errno.ECONNREFUSED, "no member announced the connection from " + client));
      }
    }, WAIT.toMillis(), TimeUnit.MILLISECONDS);
    return f;
  }

  private static ConnectDecision targets(Inet4Endpoint destination) {
    return new ConnectDecision.Targets("egress", List.of(destination));
  }

  private void forgetStale() {
    long oldest = System.nanoTime() - ANNOUNCED_FOR.toNanos();
    announced.values().removeIf(a -> a.at() < oldest);
  }

  @Override
  public void close() {
    listener.close();
    timer.shutdownNow();
  }
}
