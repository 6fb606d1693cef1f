package io.ax.core.admin;

import com.google.protobuf.Message;
import io.ax.admin.v1.EventType;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StateListener;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's Watch call: replays the current items as ADDED, then SYNCED, then one event per
 * change. Events wait in a bounded queue that a virtual thread drains only as fast as the
 * client reads (gRPC's isReady), so a slow watcher costs bounded memory: when its queue is full
 * the stream ends with RESOURCE_EXHAUSTED and the client lists and watches again.
 */
final class WatchStream<T, E extends Message> implements StateListener {
  private static final Logger log = LoggerFactory.getLogger(WatchStream.class);
  private static final AtomicLong ids = new AtomicLong();
  /**
   * Room for changes beyond the initial replay; a watcher further behind than this is dropped.
   * One Apply of the xDS agent's target scale changes 10,000 vservices in one commit: a watcher
   * must hold that batch (about 130 KB of references per watcher).
   */
  static final int BACKLOG = 16_384;

  private final long id = ids.incrementAndGet();
  private final ResourceKind<T, E> kind;
  private final DataplaneStore store;
  private final ServerCallStreamObserver<E> observer;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ReentrantLock readyLock = new ReentrantLock();
  private final Condition ready = readyLock.newCondition();
  private BlockingQueue<E> queue;

  WatchStream(ResourceKind<T, E> kind, DataplaneStore store, ServerCallStreamObserver<E> observer) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.store = Objects.requireNonNull(store, "store");
    this.observer = Objects.requireNonNull(observer, "observer");
  }

  /** Registers with the store and starts the drain thread. */
  void start() {
    observer.setOnCancelHandler(this::close);
    observer.setOnReadyHandler(this::signalReady);
    store.addListener(this, snapshot -> {
      Map<String, T> items = kind.items().apply(snapshot);
      queue = new ArrayBlockingQueue<>(items.size() + 1 + BACKLOG);
      items.values().forEach(item -> queue.add(kind.event().apply(EventType.ADDED, item)));
      queue.add(kind.synced());
    });
    Thread.ofVirtual().name("watch-" + kind.name() + "-" + id).start(this::drain);
    log.debug("[watch {}] {} watcher started", id, kind.name());
  }

  @Override
  public void onCommit(DataplaneState before, DataplaneState after) {
    Map<String, T> old = kind.items().apply(before);
    Map<String, T> now = kind.items().apply(after);
    if (old == now) {
      return;
    }
    for (Map.Entry<String, T> e : now.entrySet()) {
      T was = old.get(e.getKey());
      if (was == null) {
        offer(EventType.ADDED, e.getValue());
      } else if (was != e.getValue() && !was.equals(e.getValue())) {
        offer(EventType.MODIFIED, e.getValue());
      }
    }
    for (Map.Entry<String, T> e : old.entrySet()) {
      if (!now.containsKey(e.getKey())) {
        offer(EventType.DELETED, e.getValue());
      }
    }
  }

  private void offer(EventType type, T item) {
    if (closed.get()) {
      return;
    }
    if (!queue.offer(kind.event().apply(type, item))) {
      log.warn("[watch {}] {} watcher fell more than {} events behind; closing it", id, kind.name(), BACKLOG);
      fail(Status.RESOURCE_EXHAUSTED.withDescription("watch fell more than " + BACKLOG + " events behind; list and watch again"));
    }
  }

  private void drain() {
    try {
      while (!closed.get()) {
        E event = queue.poll(1, TimeUnit.SECONDS);
        if (event == null) {
          continue;
        }
        awaitReady();
        if (closed.get()) {
          return;
        }
        synchronized (observer) {
          observer.onNext(event);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // The call was cancelled under us: nothing to tell the client.
      log.debug("[watch {}] stream ended: {}", id, e.toString());
    } finally {
      close();
    }
  }

  private void awaitReady() throws InterruptedException {
    readyLock.lock();
    try {
      while (!observer.isReady() && !closed.get()) {
        ready.await(1, TimeUnit.SECONDS);
      }
    } finally {
      readyLock.unlock();
    }
  }

  private void signalReady() {
    readyLock.lock();
    try {
      ready.signalAll();
    } finally {
      readyLock.unlock();
    }
  }

  private void fail(Status status) {
    if (closed.compareAndSet(false, true)) {
      store.removeListener(this);
      synchronized (observer) {
        try {
          observer.onError(status.asRuntimeException());
        } catch (RuntimeException ignored) {
          // already cancelled by the client
        }
      }
      signalReady();
    }
  }

  /** Idempotent: cancelling a watch twice is harmless. */
  void close() {
    if (closed.compareAndSet(false, true)) {
      store.removeListener(this);
      signalReady();
      log.debug("[watch {}] {} watcher closed", id, kind.name());
    }
  }
}
