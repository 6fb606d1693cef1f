package io.ax.core.mesh;

import io.ax.core.model.AppId;
import io.ax.core.model.ServerEntry;
import io.ax.core.ports.PortPool;
import io.ax.core.state.DataplaneState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool ports each app of this node holds, published or not: all of an app's go back to the
 * {@link PortPool} when the app does, so a socket bound and never listened on (a crash between
 * bind and listen, a client with a fixed source port) leaks nothing. Ports of {@code --expose}
 * are not the pool's and are never leased. After a restart, the ports of restored service table
 * entries are leased again to their apps ({@link #restore}).
 *
 * <p>Node-local: which pool port this node's kernel socket uses is nobody else's business, and a
 * restarted daemon rebuilds it from the entries in the state file. Thread-safe: the map is
 * guarded by this object's lock, held for a map update and the pool call that goes with it (the
 * pool has a lock of its own, always taken after this one and never calling back), so a port is
 * given back to the pool exactly once even when the bridge's threads release it concurrently.
 */
public final class PortLeases {
  private static final Logger log = LoggerFactory.getLogger(PortLeases.class);

  private final PortPool pool;
  private final Map<AppId, Set<Integer>> held = new HashMap<>();

  public PortLeases(PortPool pool) {
    this.pool = Objects.requireNonNull(pool, "pool");
  }

  /** The pool these leases come from. */
  public PortPool pool() {
    return pool;
  }

  /** A free pool port for {@code app}; empty when the whole pool is in use. */
  public synchronized OptionalInt lease(AppId app) {
    OptionalInt port = pool.allocate();
    port.ifPresent(p -> held.computeIfAbsent(app, k -> new HashSet<>()).add(p));
    return port;
  }

  /** Gives back a port the app holds; harmless for a port it does not (an {@code --expose} one). */
  public synchronized void release(AppId app, int port) {
    Set<Integer> ports = held.get(app);
    if (ports != null && ports.remove(port)) {
      pool.release(port);
    }
  }

  /**
   * The kernel found a port the app holds taken outside this daemon: the pool skips it for a
   * while ({@link PortPool#busy}).
   *
   * @return false when the app holds no such port (an {@code --expose} port is never the pool's)
   */
  public synchronized boolean busy(AppId app, int port) {
    Set<Integer> ports = held.get(app);
    if (ports == null || !ports.remove(port)) {
      return false;
    }
    pool.busy(port);
    return true;
  }

  /** Gives back every port the app holds (it is gone). */
  public synchronized void releaseAll(AppId app) {
    Set<Integer> ports = held.remove(app);
    if (ports != null) {
      ports.forEach(pool::release);
    }
  }

  /**
   * Restored service table entries of {@code nodeId} keep their host ports: the pool must not hand
   * them out again, and each goes back when its entry is withdrawn or its app goes. An entry
   * outside the (possibly changed) {@code --ports} space, or a second entry on one port, is kept
   * and reported, and its port is not leased.
   */
  public synchronized void restore(DataplaneState restored, String nodeId) {
    for (ServerEntry e : restored.servers().values()) {
      if (!e.nodeId().equals(nodeId)) {
        continue;
      }
      int port = e.hostAddr().port();
      if (pool.reserve(port)) {
        held.computeIfAbsent(e.appId(), k -> new HashSet<>()).add(port);
      } else {
        log.warn("[daemon] restored server {} holds port {} outside --ports {} or twice", e.id(), port, pool.ranges());
      }
    }
  }

  /** The ports the app holds now, a copy. */
  public synchronized Set<Integer> heldBy(AppId app) {
    return Set.copyOf(held.getOrDefault(app, Set.of()));
  }
}
