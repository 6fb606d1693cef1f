package io.ax.core.metrics;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.sys.TcpDiag;
import io.ax.core.state.DataplaneState;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Istio's TCP metrics for the connections ax makes: {@code istio_tcp_connections_opened_total},
 * {@code istio_tcp_connections_closed_total}, {@code istio_tcp_sent_bytes_total} and
 * {@code istio_tcp_received_bytes_total}, with Istio's labels ({@link IstioLabels}), reported as a
 * client sidecar would ({@code reporter="source"}). Bytes are the kernel's own counters of each
 * app socket ({@link TcpDiag}), read when the socket is freed and every {@code poll} (for
 * long-lived connections), never from the data path. As Istio counts them: received bytes are
 * the request's (what the app sent), sent bytes the response's (what it received; the kernel
 * counts the server's FIN as one).
 *
 * <p>Each opened connection is followed by its socket cookie until it is freed; at most
 * {@code maxFollowed} at once (more are counted opened and closed by nobody: their bytes are not
 * read). A connection whose free event was lost (the reader fell behind) is taken as closed once
 * two polls in a row do not see it. Label sets are bounded as in {@link ConnectMetrics}: at most
 * {@code maxSeries}, then everything counts under {@code overflow} values.
 *
 * <p>Thread-safe: concurrent maps; each followed connection's last counters are guarded by it.
 */
public final class IstioTcpMetrics {
  /** 100,000 open connections followed: about 10 MB, more than the connections of a node's apps. */
  public static final int DEFAULT_MAX_FOLLOWED = 100_000;
  private static final Object OUTSIDE_KEY = new Object();

  private final Counter openedTotal;
  private final Counter closedTotal;
  private final Counter sentBytes;
  private final Counter receivedBytes;
  private final Supplier<DataplaneState> state;
  private final int maxSeries;
  private final int maxFollowed;
  private final Set<List<String>> seen = ConcurrentHashMap.newKeySet();
  private Series overflow; // guarded by this; made on the first connection past the limit
  private final ConcurrentHashMap<String, ConcurrentHashMap<Object, ConcurrentHashMap<Object, Optional<Series>>>> cache = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Followed> followed = new ConcurrentHashMap<>();

  /** The four data points of one label set. */
  private static final class Series {
    final CounterDataPoint opened;
    final CounterDataPoint closed;
    final CounterDataPoint sent;
    final CounterDataPoint received;

    Series(IstioTcpMetrics m, List<String> values) {
      String[] v = values.toArray(String[]::new);
      this.opened = m.openedTotal.labelValues(v);
      this.closed = m.closedTotal.labelValues(v);
      this.sent = m.sentBytes.labelValues(v);
      this.received = m.receivedBytes.labelValues(v);
    }
  }

  /** One open connection: its series and the counters already added. */
  private static final class Followed {
    final Series series;
    long bytesSent; // guarded by this
    long bytesReceived; // guarded by this
    int missedPolls; // guarded by this

    Followed(Series series) {
      this.series = series;
    }

    /** Adds what the kernel counted since the last read; counters never go back. */
    synchronized void update(TcpDiag.Counters c) {
      if (c.bytesSent() > bytesSent) {
        series.received.inc(c.bytesSent() - bytesSent);
        bytesSent = c.bytesSent();
      }
      if (c.bytesReceived() > bytesReceived) {
        series.sent.inc(c.bytesReceived() - bytesReceived);
        bytesReceived = c.bytesReceived();
      }
      missedPolls = 0;
    }
  }

  public IstioTcpMetrics(PrometheusRegistry registry, Supplier<DataplaneState> state, int maxSeries, int maxFollowed) {
    Objects.requireNonNull(registry, "registry");
    this.state = Objects.requireNonNull(state, "state");
    if (maxSeries < 1 || maxFollowed < 0) {
      throw new IllegalArgumentException("maxSeries must be positive and maxFollowed not negative, got " + maxSeries + " and " + maxFollowed);
    }
    this.maxSeries = maxSeries;
    this.maxFollowed = maxFollowed;
    String[] names = IstioLabels.NAMES.toArray(String[]::new);
    openedTotal = Counter.builder().name("istio_tcp_connections_opened_total").help("TCP connections opened (Istio's metric, reported by ax as the client's side)").labelNames(names).register(registry);
    closedTotal = Counter.builder().name("istio_tcp_connections_closed_total").help("TCP connections closed (Istio's metric, reported by ax as the client's side)").labelNames(names).register(registry);
    sentBytes = Counter.builder().name("istio_tcp_sent_bytes_total").help("Bytes of responses: what the client received (Istio's metric, from the kernel's tcp_info)").labelNames(names).register(registry);
    receivedBytes = Counter.builder().name("istio_tcp_received_bytes_total").help("Bytes of requests: what the client sent (Istio's metric, from the kernel's tcp_info)").labelNames(names).register(registry);
  }

  /** The series of every label set past the limit, all of whose values but the reporter are {@code overflow}. */
  private synchronized Series overflow() {
    if (overflow == null) {
      List<String> over = new java.util.ArrayList<>(Collections.nCopies(IstioLabels.NAMES.size(), ConnectMetrics.OVERFLOW));
      over.set(0, "source");
      overflow = new Series(this, over);
    }
    return overflow;
  }

  /** Forgets the resolved labels: apps, entries or vservices changed. */
  public void invalidate() {
    cache.clear();
  }

  /** A connection opened; {@code cookie} 0 when its socket's cookie is unknown (then only counted). */
  public void opened(String appId, ConnectDecision decision, int dialed, long cookie) {
    Optional<Series> series = series(appId, decision, dialed);
    if (series.isEmpty()) {
      return;
    }
    series.get().opened.inc();
    if (cookie != 0 && followed.size() < maxFollowed) {
      followed.put(cookie, new Followed(series.get()));
    }
  }

  /** An open socket's counters, from a poll: adds what grew since the last read. */
  public void counted(TcpDiag.Counters c) {
    Followed f = followed.get(c.cookie());
    if (f != null) {
      f.update(c);
    }
  }

  /** A socket was freed, with its final counters: adds what grew and counts it closed. */
  public void destroyed(TcpDiag.Counters c) {
    Followed f = followed.remove(c.cookie());
    if (f != null) {
      f.update(c);
      f.series.closed.inc();
    }
  }

  /**
   * Reads every open socket's counters with {@code dump}; a followed connection that two polls
   * in a row did not see was freed without its event reaching us, and is counted closed.
   */
  public void poll(Dump dump) throws io.ax.bridge.sys.SysCallException {
    Set<Long> present = new java.util.HashSet<>();
    dump.each(c -> {
      present.add(c.cookie());
      counted(c);
    });
    followed.forEach((cookie, f) -> {
      if (present.contains(cookie)) {
        return;
      }
      boolean gone;
      synchronized (f) {
        gone = ++f.missedPolls >= 2;
      }
      if (gone && followed.remove(cookie, f)) {
        f.series.closed.inc();
      }
    });
  }

  /** How the counters of open sockets are read: {@link TcpDiag#dump} on a running daemon. */
  @FunctionalInterface
  public interface Dump {
    void each(java.util.function.Consumer<TcpDiag.Counters> each) throws io.ax.bridge.sys.SysCallException;
  }

  /** How many connections are followed now. */
  public int followed() {
    return followed.size();
  }

  private Optional<Series> series(String appId, ConnectDecision decision, int dialed) {
    Object balanced;
    Object target;
    switch (decision) {
      case ConnectDecision.Targets t -> {
        balanced = t.via();
        target = t.targets().get(Math.max(1, Math.min(dialed, t.targets().size())) - 1);
      }
      case ConnectDecision.ViaGateway g -> {
        balanced = OUTSIDE_KEY;
        target = OUTSIDE_KEY;
      }
      case ConnectDecision.Direct d -> {
        balanced = OUTSIDE_KEY;
        target = OUTSIDE_KEY;
      }
      case ConnectDecision.Refuse r -> {
        return Optional.empty();
      }
    }
    var byBalanced = cache.get(appId);
    if (byBalanced == null) {
      byBalanced = cache.computeIfAbsent(appId, k -> new ConcurrentHashMap<>());
    }
    var byTarget = byBalanced.get(balanced);
    if (byTarget == null) {
      byTarget = byBalanced.computeIfAbsent(balanced, k -> new ConcurrentHashMap<>());
    }
    Optional<Series> s = byTarget.get(target);
    if (s == null) {
      s = byTarget.computeIfAbsent(target, k -> resolve(appId, decision, dialed));
    }
    return s;
  }

  private Optional<Series> resolve(String appId, ConnectDecision decision, int dialed) {
    Optional<List<String>> values = IstioLabels.of(state.get(), appId, decision, dialed);
    if (values.isEmpty()) {
      return Optional.empty();
    }
    if (!seen.contains(values.get())) {
      if (seen.size() >= maxSeries) {
        return Optional.of(overflow());
      }
      seen.add(values.get());
    }
    return Optional.of(new Series(this, values.get()));
  }
}
