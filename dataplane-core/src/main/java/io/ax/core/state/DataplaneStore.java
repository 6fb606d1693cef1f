package io.ax.core.state;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.PortMapping;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * The daemon's state: an immutable {@link DataplaneState} swapped atomically. Readers call
 * {@link #current()} and never lock. Each change is first made durable ({@link
 * StatePersistence}), then published, then told to the listeners, so a change that was
 * acknowledged survives a restart and one that failed to persist never happened.
 *
 * <p>Writers commit as a group: one thread at a time (the leader) takes every change queued so
 * far, applies them in arrival order, saves the result once and publishes it; changes that arrive
 * meanwhile wait for the next batch, and every caller returns only after the write that covers
 * its change. A save rewrites the whole state (3 MB with 10,000 vservices), so one write per
 * change made a burst of 1,000 {@code ax run} registrations queue for minutes behind each other;
 * batched, the burst costs a handful of writes. A batch whose save fails fails every change in it.
 */
public final class DataplaneStore {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DataplaneStore.class);
  private final AtomicReference<DataplaneState> current;
  private final StatePersistence persistence;
  private final List<StateListener> listeners = new CopyOnWriteArrayList<>();
  /** Guards {@link #queue} and {@link #leader}; held for moments, never during a save. */
  private final ReentrantLock queueLock = new ReentrantLock();
  private final Condition batchDone = queueLock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /** The thread writing a batch, or null when none is. */
  private Thread leader;
  /** Held by the leader from reading the state to telling the listeners; see addListener. */
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
    return createVService(vs, false);
  }

  /**
   * As {@link #createVService(VService)}; unless {@code force}, also refused when live apps serve
   * one of its vIP:vport pairs: the vservice would take their clients (rule 1 of the connect
   * decision comes before the apps' own entries), which only a deliberate act should do.
   */
  public VService createVService(VService vs, boolean force) {
    commit(s -> {
      if (s.vservices().containsKey(vs.name())) {
        throw new ResourceException(ResourceException.Kind.ALREADY_EXISTS, "vservice '" + vs.name() + "' already exists");
      }
      for (PortMapping p : vs.ports()) {
        Optional<VService> other = s.vserviceAt(Endpoints.of(vs.ip(), p.vport()));
        if (other.isPresent()) {
          throw new ResourceException(
              ResourceException.Kind.CONFLICT,
              "vservice '" + other.get().name() + "' already serves " + vs.ip() + ":" + p.vport());
        }
        List<ServerEntry> apps = s.serversAt(Endpoints.of(vs.ip(), p.vport()));
        if (!force && !apps.isEmpty()) {
          ServerEntry e = apps.getFirst();
          throw new ResourceException(
              ResourceException.Kind.CONFLICT,
              vs.ip() + ":" + p.vport() + " is served by app " + e.appId() + " ('" + e.name() + "' on node " + e.nodeId() + "): a vservice there would take its clients; force it to replace them");
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
   * Applies one change: the function sees the latest state (with the changes committed before it
   * in the same batch) and returns the next, or the same for no change. It may throw to refuse
   * the change; nothing of it is then written or published, and the exception reaches the caller.
   * It runs on the thread writing the batch, which may not be the caller's, and must not commit.
   *
   * @return the state published with this change (it may hold later changes of the same batch);
   *     the current state when nothing in the batch changed
   * @throws StateWriteException when the batch could not be made durable: the change never happened
   * @throws IllegalStateException when called from a change or a listener, which would deadlock
   */
  public DataplaneState commit(UnaryOperator<DataplaneState> change) {
    Pending mine = new Pending(Objects.requireNonNull(change, "change"));
    List<Pending> batch;
    queueLock.lock();
    try {
      if (leader == Thread.currentThread()) {
        throw new IllegalStateException("a state change or listener must not commit: the store is writing a batch on this thread");
      }
      queue.add(mine);
      while (leader != null && !mine.done) {
        batchDone.awaitUninterruptibly();
      }
      if (mine.done) {
        return mine.outcome();
      }
      // No batch is being written and ours is not done: lead the next one, with all that waits.
      leader = Thread.currentThread();
      batch = new ArrayList<>(queue);
      queue.clear();
    } finally {
      queueLock.unlock();
    }
    try {
      write(batch);
    } finally {
      queueLock.lock();
      try {
        leader = null;
        batchDone.signalAll(); // the batch's callers return; one of the rest leads the next
      } finally {
        queueLock.unlock();
      }
    }
    return mine.outcome();
  }

  /** How many changes wait for the next batch (not the one being written); for tests. */
  int waiting() {
    queueLock.lock();
    try {
      return queue.size();
    } finally {
      queueLock.unlock();
    }
  }

  /** Applies, saves, publishes and tells one batch; completes every change in it, whatever happens. */
  private void write(List<Pending> batch) {
    writeLock.lock();
    try {
      DataplaneState before = current.get();
      DataplaneState next = before;
      List<Pending> applied = new ArrayList<>(batch.size());
      for (Pending p : batch) {
        try {
          next = Objects.requireNonNull(p.change.apply(next), "a state change returned null");
          applied.add(p);
        } catch (RuntimeException | Error e) {
          p.fail(e); // refused: the others in the batch go on without it
        }
      }
      if (next != before) {
        long t0 = System.nanoTime();
        try {
          persistence.save(next);
          log.debug("[store] saved version {}: {} changes of {} in {} µs", next.version(), applied.size(), batch.size(), (System.nanoTime() - t0) / 1000);
        } catch (IOException e) {
          StateWriteException failure = new StateWriteException("could not save the daemon state: " + e.getMessage(), e);
          applied.forEach(p -> p.fail(failure));
          return;
        }
        current.set(next);
        // The batch is durable and visible: a failing listener must not undo it for the callers
        // or keep the others from hearing of it.
        for (StateListener l : listeners) {
          try {
            l.onCommit(before, next);
          } catch (RuntimeException e) {
            log.error("[store] listener {} failed on version {}", l, next.version(), e);
          }
        }
      }
      for (Pending p : applied) {
        p.succeed(next);
      }
    } finally {
      // Only after an Error in a save or a listener: no caller may wait forever for it.
      for (Pending p : batch) {
        if (!p.done) {
          p.fail(new StateWriteException("the state write was abandoned", null));
        }
      }
      writeLock.unlock();
    }
  }

  /** One caller's change and, once {@link #done}, its outcome. */
  private static final class Pending {
    final UnaryOperator<DataplaneState> change;
    private DataplaneState result;
    private Throwable failure;
    /** Written last, after the outcome, so that a caller that sees it set sees the outcome too. */
    volatile boolean done;

    Pending(UnaryOperator<DataplaneState> change) {
      this.change = change;
    }

    void succeed(DataplaneState state) {
      result = state;
      done = true;
    }

    void fail(Throwable t) {
      failure = t;
      done = true;
    }

    DataplaneState outcome() {
      if (failure instanceof RuntimeException e) {
        throw e;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      return result;
    }
  }
}
