package io.ax.core.mesh;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a daemon that starts over a saved state does about the apps in it, in this order:
 *
 * <ol>
 *   <li>{@link #restorePorts}: the pool ports of restored entries are leased to their apps again;
 *   <li>{@link #forgetDeadApps}: apps whose supervisor exited while the daemon was down will never
 *       register again, so they go now, with their entries and ports;
 *   <li>once the bridge runs, {@link #adoptRestored}: it watches the restored listening sockets
 *       again, so that their closing withdraws their entries;
 *   <li>{@link #scheduleForgetUnreturned}: supervisors of living apps register again within a few
 *       seconds; an app that has not after the grace period is not coming back (its pid may be
 *       someone else's now) and goes too.
 * </ol>
 *
 * <p>Holds no state of its own: it reads the store's snapshot and changes it through the
 * {@link AppRegistry} and the {@link PortLeases}, which are thread-safe. The first three steps
 * run on the daemon's starting thread; the last one's task runs later on the scheduler's thread,
 * concurrently with the bridge, which is safe because each forget is one store commit plus one
 * lease release.
 */
public final class RestartRecovery {
  private static final Logger log = LoggerFactory.getLogger(RestartRecovery.class);

  /** Supervisors retry every second at most; 30 s covers a slow start of the new daemon. */
  public static final Duration REREGISTER_GRACE = Duration.ofSeconds(30);

  /** Whether a process still runs. */
  @FunctionalInterface
  public interface Liveness {
    /** The system's process table: a pid that does not exist is not alive. */
    Liveness PROCESSES = pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);

    boolean isAlive(long pid);
  }

  /**
   * The bridge, which watches a listening socket that outlived the previous daemon (its
   * {@code BridgeServer.adoptPublished}): when the socket closes, the policy hears
   * {@code withdrawn}.
   */
  @FunctionalInterface
  public interface SocketAdopter {
    void adoptPublished(String appId, long inode, Transport transport, Inet4Endpoint virtual, Inet4Endpoint real);
  }

  private final DataplaneStore store;
  private final AppRegistry apps;
  private final PortLeases leases;
  private final String nodeId;
  private final Liveness liveness;
  private final Scheduler scheduler;
  private final Duration grace;

  /**
   * @param nodeId this node: only its entries hold ports here and sockets to adopt
   * @param liveness {@link Liveness#PROCESSES} outside tests
   * @param grace how long restored apps have to register again; {@link #REREGISTER_GRACE} outside tests
   */
  public RestartRecovery(
      DataplaneStore store, AppRegistry apps, PortLeases leases, String nodeId, Liveness liveness, Scheduler scheduler, Duration grace) {
    this.store = Objects.requireNonNull(store, "store");
    this.apps = Objects.requireNonNull(apps, "apps");
    this.leases = Objects.requireNonNull(leases, "leases");
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.liveness = Objects.requireNonNull(liveness, "liveness");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.grace = Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative: " + grace);
    }
  }

  /** Leases the host ports of this node's restored entries to their apps (see {@link PortLeases#restore}). */
  public void restorePorts() {
    leases.restore(store.current(), nodeId);
  }

  /** Drops the restored apps whose supervisor has exited, with their entries and ports. */
  public void forgetDeadApps() {
    for (App app : store.current().apps().values()) {
      if (app.nodeId().equals(nodeId) && !liveness.isAlive(app.pid())) {
        forget(app.id());
        log.info("[daemon] app {} exited while the daemon was down; its entries are gone", app.id());
      }
    }
  }

  /** Hands this node's restored listening sockets to the bridge, which watches them again. */
  public void adoptRestored(SocketAdopter bridge) {
    DataplaneState s = store.current();
    for (ServerEntry e : s.servers().values()) {
      if (!e.nodeId().equals(nodeId)) {
        continue;
      }
      SocketEntry socket = s.sockets().get(e.id());
      if (socket == null) {
        continue;
      }
      bridge.adoptPublished(e.appId().value(), socket.inode(), e.protocol(), e.serviceAddr(), e.hostAddr());
    }
  }

  /**
   * After the grace period, drops the apps now in the state that have not registered with this
   * daemon by then. Nothing is scheduled when there are none.
   *
   * @return cancels the check (the daemon stops first)
   */
  public Scheduler.Cancellable scheduleForgetUnreturned() {
    // This node's apps only: a peer's are for the peer to judge.
    Set<AppId> restored = store.current().apps().values().stream().filter(a -> a.nodeId().equals(nodeId)).map(App::id).collect(Collectors.toUnmodifiableSet());
    if (restored.isEmpty()) {
      return () -> {};
    }
    return scheduler.schedule(grace, () -> forgetUnreturned(restored));
  }

  private void forgetUnreturned(Set<AppId> restored) {
    for (AppId id : restored) {
      if (!apps.registeredSinceStart(id)) {
        forget(id);
        log.info("[daemon] app {} did not register again after the restart; its entries are gone", id);
      }
    }
  }

  private void forget(AppId id) {
    leases.releaseAll(id);
    apps.forget(id);
  }
}
