package io.ax.core.state;

import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.PortMapping;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.model.VService;
import io.ax.core.net.HostPort;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * The daemon's state: an immutable {@link DataplaneState} swapped atomically. Readers call
 * {@link #current()} and never lock. Writers are serialised by one lock; each change is first
 * made durable ({@link StatePersistence}), then published, then told to the listeners, so a
 * change that was acknowledged survives a restart and one that failed to persist never happened.
 */
public final class DataplaneStore {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DataplaneStore.class);
  private final AtomicReference<DataplaneState> current;
  private final StatePersistence persistence;
  private final List<StateListener> listeners = new CopyOnWriteArrayList<>();
  private final ReentrantLock writeLock = new ReentrantLock();

  public DataplaneStore(DataplaneState initial, StatePersistence persistence) {
    this.current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
    this.persistence = Objects.requireNonNull(persistence, "persistence");
  }

  /** The latest committed snapshot. Never blocks. */
  public DataplaneState current() {
    return current.get();
  }

  public void addListener(StateListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Adds a listener and hands it the current state in one step, under the write lock, so that it
   * sees every later change exactly once and none twice.
   */
  public void addListener(StateListener listener, java.util.function.Consumer<DataplaneState> initial) {
    writeLock.lock();
    try {
      initial.accept(current.get());
      listeners.add(Objects.requireNonNull(listener, "listener"));
    } finally {
      writeLock.unlock();
    }
  }

  public void removeListener(StateListener listener) {
    listeners.remove(listener);
  }

  /**
   * Creates a vservice. Refused when the name is taken or when another vservice already serves
   * one of its vIP:vport pairs (a connect must have one answer).
   */
  public VService createVService(VService vs) {
    commit(s -> {
      if (s.vservices().containsKey(vs.name())) {
        throw new ResourceException(ResourceException.Kind.ALREADY_EXISTS, "vservice '" + vs.name() + "' already exists");
      }
      for (PortMapping p : vs.ports()) {
        Optional<VService> other = s.vserviceAt(new HostPort(vs.ip(), p.vport()));
        if (other.isPresent()) {
          throw new ResourceException(
              ResourceException.Kind.CONFLICT,
              "vservice '" + other.get().name() + "' already serves " + vs.ip() + ":" + p.vport());
        }
      }
      return s.withVService(vs);
    });
    return vs;
  }

  /**
   * Reconciles {@code owner}'s vservices to {@code desired} in one commit (one state write, one
   * publish, nothing at all when nothing changes). See {@link VServiceApply} for the rules.
   *
   * @param desired valid vservices, each already carrying {@code owner}
   * @param invalidNames names of desired vservices the caller refused as invalid: their current
   *     values are kept
   */
  public VServiceApply.Result applyVServices(String owner, List<VService> desired, java.util.Set<String> invalidNames) {
    VServiceApply.Result[] result = new VServiceApply.Result[1];
    commit(s -> {
      result[0] = VServiceApply.reconcile(s.vservices(), owner, desired, invalidNames);
      return result[0].changed() ? s.withVServices(result[0].vservices()) : s;
    });
    return result[0];
  }

  /** Deletes a vservice by name; NOT_FOUND when there is none. */
  public VService deleteVService(String name) {
    VService[] removed = new VService[1];
    commit(s -> {
      removed[0] = s.vservices().get(name);
      if (removed[0] == null) {
        throw new ResourceException(ResourceException.Kind.NOT_FOUND, "vservice '" + name + "' not found");
      }
      return s.withoutVService(name);
    });
    return removed[0];
  }

  /** Adds or replaces an app. */
  public void putApp(App app) {
    commit(s -> s.withApp(app));
  }

  /** Removes an app with its service table entries and sockets; absent apps are ignored. */
  public void removeApp(AppId id) {
    commit(s -> s.apps().containsKey(id) ? s.withoutApp(id) : s);
  }

  /** Adds or replaces a service table entry. */
  public void putServer(ServerEntry entry) {
    commit(s -> s.withServer(entry));
  }

  public void removeServer(String id) {
    commit(s -> s.servers().containsKey(id) ? s.withoutServer(id) : s);
  }

  /** A socket starts serving: its service table entry and socket entry, in one change. */
  public void publish(ServerEntry entry, SocketEntry socket) {
    commit(s -> s.withServer(entry).withSocket(socket));
  }

  /** A serving socket closed: both entries go, in one change; unknown ids are ignored. */
  public void withdraw(String serverId, String socketId) {
    commit(s -> {
      DataplaneState next = s.servers().containsKey(serverId) ? s.withoutServer(serverId) : s;
      return next.sockets().containsKey(socketId) ? next.withoutSocket(socketId) : next;
    });
  }

  public void putSocket(SocketEntry socket) {
    commit(s -> s.withSocket(socket));
  }

  public void removeSocket(String id) {
    commit(s -> s.sockets().containsKey(id) ? s.withoutSocket(id) : s);
  }

  /**
   * Applies one change: the function sees the latest state and returns the next (or the same,
   * for no change). It may throw to refuse the change; nothing is then written or published.
   */
  public DataplaneState commit(UnaryOperator<DataplaneState> change) {
    writeLock.lock();
    try {
      DataplaneState before = current.get();
      DataplaneState after = change.apply(before);
      if (after == before) {
        return before;
      }
      try {
        persistence.save(after);
      } catch (IOException e) {
        throw new StateWriteException("could not save the daemon state: " + e.getMessage(), e);
      }
      current.set(after);
      // The change is durable and visible: a failing listener must not undo it for the caller
      // or keep the others from hearing of it.
      for (StateListener l : listeners) {
        try {
          l.onCommit(before, after);
        } catch (RuntimeException e) {
          log.error("[store] listener {} failed on version {}", l, after.version(), e);
        }
      }
      return after;
    } finally {
      writeLock.unlock();
    }
  }
}
