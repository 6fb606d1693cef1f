package io.ax.core.proxy;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.decision.ConnectDecider;
import io.ax.core.lb.Candidate;
import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.LbState;
import io.ax.core.lb.PickContext;
import io.ax.core.lb.SharedLbState;
import io.ax.core.model.ProxyInfo;
import io.ax.core.model.VService;
import io.ax.core.net.Ipv4;
import io.ax.core.proxy.ExposurePlan.AppExposure;
import io.ax.core.proxy.ExposurePlan.Exposure;
import io.ax.core.proxy.ExposurePlan.VServiceExposure;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StateListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every-node exposure on this node: keeps one proxy listener on 0.0.0.0 for each port of the
 * {@link ExposurePlan}, opening and closing them as apps and vservices come and go anywhere in
 * the cluster. The plan is made again after each change of the table, off the store's writer
 * thread; a listener reads the table when a client connects, so a change of backends needs no
 * new listener.
 */
public final class Exposures implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Exposures.class);

  private final DataplaneStore store;
  private final String self;
  private final Ipv4 selfIp;
  private final TcpProxies proxies;
  private final LbState lb;
  private final StateListener listener = this::onCommit;
  private final ExecutorService planner = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("ax-exposures").factory());
  private final AtomicBoolean planPending = new AtomicBoolean();

  /** Guarded by itself; changed on the planner thread only. */
  private final Map<Integer, Running> running = new LinkedHashMap<>();
  /** Ports whose bind failed, with the message last logged: logged again only when it changes. */
  private final Map<Integer, String> failed = new HashMap<>();
  private Set<String> lastConflicts = Set.of();

  private record Running(Exposure exposure, TcpProxies.Listener listener) {}

  private Exposures(DataplaneStore store, String self, Ipv4 selfIp, TcpProxies proxies, LbState lb) {
    this.store = Objects.requireNonNull(store, "store");
    this.self = Objects.requireNonNull(self, "self");
    this.selfIp = Objects.requireNonNull(selfIp, "selfIp");
    this.proxies = Objects.requireNonNull(proxies, "proxies");
    this.lb = Objects.requireNonNull(lb, "lb");
  }

  /**
   * Starts following the store; the first listeners open right away (on the planner thread).
   *
   * @param self this node's name, and {@code selfIp} its IP
   */
  public static Exposures start(DataplaneStore store, String self, Ipv4 selfIp, TcpProxies proxies, LbState lb) {
    Exposures e = new Exposures(store, self, selfIp, proxies, lb);
    store.addListener(e.listener, initial -> e.planSoon());
    return e;
  }

  private void onCommit(DataplaneState before, DataplaneState after) {
    // Exposures come from apps and vservices; backends are read when a client connects.
    if (before.apps() != after.apps() || before.vservices() != after.vservices()) {
      planSoon();
    }
  }

  private void planSoon() {
    if (planPending.compareAndSet(false, true)) {
      planner.execute(() -> {
        planPending.set(false);
        try {
          apply(ExposurePlan.of(store.current(), self, selfIp));
        } catch (RuntimeException e) {
          log.error("[proxy] could not apply the exposure plan", e);
        }
      });
    }
  }

  /** Waits until the plan for the current table is applied; for tests and orderly shutdown. */
  public void awaitPlanned() throws InterruptedException {
    try {
      planner.submit(() -> {}).get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  private void apply(ExposurePlan.Plan plan) {
    Set<String> conflicts = new HashSet<>(plan.conflicts());
    for (String c : plan.conflicts()) {
      if (!lastConflicts.contains(c)) {
        log.warn("[proxy] {}: not exposed", c);
      }
    }
    lastConflicts = conflicts;
    List<Running> toClose = new ArrayList<>();
    synchronized (running) {
      running.entrySet().removeIf(e -> {
        Exposure want = plan.byPort().get(e.getKey());
        if (want == null || !want.id().equals(e.getValue().exposure().id())) {
          toClose.add(e.getValue());
          return true;
        }
        // Same listener; the exposure's apps may have changed, and the route reads them from it.
        e.setValue(new Running(want, e.getValue().listener()));
        return false;
      });
    }
    for (Running r : toClose) {
      r.listener().close();
      log.info("[proxy] {} stopped listening on {}", r.exposure().id(), r.listener().address());
    }
    failed.keySet().retainAll(plan.byPort().keySet());
    for (Exposure x : plan.byPort().values()) {
      synchronized (running) {
        if (running.containsKey(x.port())) {
          continue;
        }
      }
      Inet4Endpoint at = new Inet4Endpoint(0, x.port());
      try {
        TcpProxies.Listener l = proxies.listen(at, Route.now(client -> route(x.port(), client, lb)));
        synchronized (running) {
          running.put(x.port(), new Running(x, l));
        }
        failed.remove(x.port());
        log.info("[proxy] {} listens on {}", x.id(), at);
      } catch (TcpProxies.BindFailedException e) {
        if (!e.getMessage().equals(failed.put(x.port(), e.getMessage()))) {
          log.warn("[proxy] {}: {}; tried again at the next change of the table", x.id(), e.getMessage());
        }
      }
    }
  }

  /** Where a client of {@code port} goes now. */
  private ConnectDecision route(int port, Inet4Endpoint client, LbState lb) {
    Exposure x;
    synchronized (running) {
      Running r = running.get(port);
      x = r == null ? null : r.exposure();
    }
    DataplaneState s = store.current();
    return switch (x) {
      case null -> new ConnectDecision.Refuse(Errno.ECONNREFUSED, "port " + port + " is no longer exposed");
      case AppExposure a -> {
        List<Inet4Endpoint> targets = ExposurePlan.appTargets(s, a);
        if (targets.isEmpty()) {
          yield new ConnectDecision.Refuse(Errno.ECONNREFUSED, "no app that exposes port " + port + " listens on it");
        }
        List<Candidate<Inet4Endpoint>> candidates = targets.stream().map(t -> new Candidate<>(t, t, 1)).toList();
        // Spread evenly, as the implicit vservice of an --ip does.
        yield new ConnectDecision.Targets(a.id(), LbPolicy.ROUND_ROBIN.order(candidates, new PickContext(a.id(), lb, new Ipv4(client.ip()))));
      }
      case VServiceExposure v -> {
        VService vs = s.vservices().get(v.vservice());
        if (vs == null || vs.exposure() != VService.Exposure.EXTERNAL) {
          yield new ConnectDecision.Refuse(Errno.ECONNREFUSED, "vservice " + v.vservice() + " is no longer external");
        }
        yield ConnectDecider.decideOutside(s, vs, Transport.TCP, port, new Ipv4(client.ip()), lb);
      }
    };
  }

  /** The proxies running now, with the backends a client would be sent to (for {@code ax get proxies}). */
  public Map<String, ProxyInfo> proxies() {
    List<Running> now;
    synchronized (running) {
      now = List.copyOf(running.values());
    }
    Map<String, ProxyInfo> out = new LinkedHashMap<>();
    for (Running r : now) {
      // A balancer state of its own: listing must not move the live balancers on.
      List<Inet4Endpoint> dialers = switch (route(r.exposure().port(), new Inet4Endpoint(0, 0), new SharedLbState())) {
        case ConnectDecision.Targets t -> t.targets().stream().sorted().toList();
        default -> List.of();
      };
      out.put(r.exposure().id(), new ProxyInfo(r.exposure().id(), Transport.TCP, r.listener().address(), dialers));
    }
    return out;
  }

  @Override
  public void close() {
    store.removeListener(listener);
    planner.shutdown();
    try {
      planner.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (running) {
      running.values().forEach(r -> r.listener().close());
      running.clear();
    }
  }
}
