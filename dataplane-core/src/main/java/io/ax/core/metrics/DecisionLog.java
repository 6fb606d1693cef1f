package io.ax.core.metrics;

import io.ax.bridge.BridgeObserver;
import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.metrics.ConnectLabels.Names;
import io.ax.core.metrics.ConnectLabels.Outcome;
import io.ax.core.state.DataplaneState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The node's recent TCP connect decisions and a live feed of new ones: what {@code ax get
 * decisions} shows when an app cannot connect. Each decision the bridge reports becomes one
 * {@link Entry}, named at once (the app is often gone by the time someone looks: a client that
 * failed exits).
 *
 * <p>Bounded: the last {@link #RECENT} entries are kept; each watcher has a queue of
 * {@link #WATCH_BACKLOG} entries, and a watcher that reads too slowly misses entries (counted, and
 * told with its next entry) rather than holding memory or slowing connects. Thread-safe: the
 * recent entries are guarded by their own lock (held for an array store), watchers are a
 * copy-on-write list, and their queues are concurrent.
 */
public final class DecisionLog implements BridgeObserver {
  /** 256 recent decisions: a failing client's few attempts stay in view on a busy node for a while. */
  public static final int RECENT = 256;
  /** 1,024 queued per watcher: a terminal a second behind at 1,000 connects per second loses none. */
  public static final int WATCH_BACKLOG = 1_024;

  /** One decision, named as the mesh knew it when it was made. */
  public record Entry(
      long timeUnixMicros,
      String appId,
      Names names,
      Inet4Endpoint destination,
      Outcome outcome,
      Optional<Inet4Endpoint> backend,
      String reason,
      int errno,
      int dialed) {
    public Entry {
      Objects.requireNonNull(appId, "appId");
      Objects.requireNonNull(names, "names");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(backend, "backend");
      Objects.requireNonNull(reason, "reason");
    }

    /** Whether this decision concerns {@code app}, an app id or a workload name; empty matches all. */
    public boolean concerns(String app) {
      return app.isEmpty() || app.equals(appId) || app.equals(names.sourceApp());
    }
  }

  private final Supplier<DataplaneState> state;
  private final LongSupplier clockMicros;
  private final ArrayDeque<Entry> recent = new ArrayDeque<>(RECENT);
  private final CopyOnWriteArrayList<Watcher> watchers = new CopyOnWriteArrayList<>();

  /**
   * @param state the snapshot that names each decision
   * @param clockMicros wall-clock time in microseconds since the epoch
   */
  public DecisionLog(Supplier<DataplaneState> state, LongSupplier clockMicros) {
    this.state = Objects.requireNonNull(state, "state");
    this.clockMicros = Objects.requireNonNull(clockMicros, "clockMicros");
  }

  /** A log that reads the system clock. */
  public static DecisionLog withSystemClock(Supplier<DataplaneState> state) {
    return new DecisionLog(state, () -> {
      java.time.Instant now = java.time.Instant.now();
      return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    });
  }

  @Override
  public void connectEnded(String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed, int errno) {
    Entry e = entry(clockMicros.getAsLong(), state.get(), appId, destination, decision, dialed, errno);
    synchronized (recent) {
      if (recent.size() == RECENT) {
        recent.removeFirst();
      }
      recent.addLast(e);
    }
    for (Watcher w : watchers) {
      w.offer(e);
    }
  }

  /** The pure part: how a reported connect is written down. */
  static Entry entry(long micros, DataplaneState s, String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed, int errno) {
    Names names = ConnectLabels.of(s, appId, destination, decision, dialed);
    Optional<Inet4Endpoint> backend = switch (decision) {
      case ConnectDecision.Targets t -> dialed == 0 ? Optional.empty() : Optional.of(t.targets().get(Math.min(dialed, t.targets().size()) - 1));
      case ConnectDecision.ViaGateway g -> Optional.of(g.gateway());
      case ConnectDecision.Direct d -> Optional.of(destination);
      case ConnectDecision.Refuse r -> Optional.empty();
    };
    String reason = switch (decision) {
      case ConnectDecision.Targets t -> t.via().startsWith("loopback of ") ? t.via() : "balanced over " + t.via();
      case ConnectDecision.ViaGateway g -> "outside the mesh: through the egress gateway";
      case ConnectDecision.Direct d -> "outside the mesh: connected directly";
      case ConnectDecision.Refuse r -> r.reason();
    };
    return new Entry(micros, appId, names, destination, Outcome.of(decision, dialed, errno), backend, reason, errno, dialed);
  }

  /** The recent decisions concerning {@code app} (empty: all), oldest first. */
  public List<Entry> recent(String app) {
    List<Entry> out = new ArrayList<>();
    synchronized (recent) {
      for (Entry e : recent) {
        if (e.concerns(app)) {
          out.add(e);
        }
      }
    }
    return out;
  }

  /**
   * Starts a watch of the decisions concerning {@code app} (empty: all): the recent ones first,
   * then each new one. Close it when done; closing twice is harmless.
   */
  public Watcher watch(String app) {
    Watcher w = new Watcher(Objects.requireNonNull(app, "app"));
    // Registered before the recent ones are copied: an entry made in between may come twice
    // (harmless for a log) but none is lost.
    watchers.add(w);
    for (Entry e : recent(app)) {
      w.offer(e);
    }
    return w;
  }

  /** How many watchers are open (for tests and the admin server's logs). */
  public int watchers() {
    return watchers.size();
  }

  /** One watcher's bounded queue. Thread-safe. */
  public final class Watcher implements AutoCloseable {
    private final String app;
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(WATCH_BACKLOG);
    private final AtomicLong missed = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Watcher(String app) {
      this.app = app;
    }

    private void offer(Entry e) {
      if (e.concerns(app) && !queue.offer(e)) {
        missed.incrementAndGet();
      }
    }

    /** The next entry within {@code timeout}, or empty; waits on the calling (virtual) thread. */
    public Optional<Entry> poll(long timeout, TimeUnit unit) throws InterruptedException {
      return Optional.ofNullable(queue.poll(timeout, unit));
    }

    /** How many entries were dropped since the last call: the queue was full. */
    public long takeMissed() {
      return missed.getAndSet(0);
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        watchers.remove(this);
      }
    }
  }
}
