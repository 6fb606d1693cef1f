package io.ax.core.metrics;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.metrics.ConnectLabels.Names;
import io.ax.core.metrics.ConnectLabels.Outcome;
import io.ax.core.state.DataplaneState;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code ax_connections_opened_total{source_app, destination, backend, outcome}}: every TCP
 * connect the mesh decided, counted once when it ends.
 *
 * <p>Cost per connect: the labels are resolved once per (app, what was balanced, target) and the
 * counter's data points (made on each outcome's first connect) kept in a cache of nested maps keyed by objects the connect already has
 * (the app id string, the decision's {@code via} string, the target endpoint), so a connect
 * whose series is known does three map lookups and one striped add, with no allocation. The
 * cache is dropped whenever apps, entries or vservices change (names may then differ) and
 * refills on the next connects.
 *
 * <p>Cardinality: label values come from operator-chosen names ({@link ConnectLabels}); on top of
 * that, at most {@code maxSeries} distinct label sets are ever made. Connects beyond that count in
 * the series whose names are all {@code overflow}: the bound holds even for a
 * misconfigured mesh, and a non-zero overflow series says it was reached.
 *
 * <p>Thread-safe: concurrent maps, and a counter of series made.
 */
public final class ConnectMetrics {
  /**
   * 2,000 label sets of names (each with a series per outcome seen): 20 apps × 20 destinations ×
   * 5 backends, more than a node's dashboards read.
   */
  public static final int DEFAULT_MAX_SERIES = 2_000;
  static final String OVERFLOW = "overflow";
  /**
   * 100,000 cached keys: refusals are keyed by the address the app connected to, which an app
   * picks (a port scan of a vIP); past this the cache starts again rather than grow.
   */
  static final int MAX_CACHED = 100_000;
  private static final Outcome[] OUTCOMES = Outcome.values();
  /** The level-2 and level-3 keys of decisions without a vservice name or target. */
  private static final Object OUTSIDE_KEY = new Object();
  private static final Object NO_TARGET = new Object();

  private final Counter opened;
  private final Supplier<DataplaneState> state;
  private final int maxSeries;
  /** The names made into series so far, at most {@code maxSeries}: never cleared, as the series are not. */
  private final Set<Names> seen = ConcurrentHashMap.newKeySet();
  private final Series overflow;
  /** app id → what was balanced (via, or the destination of a refusal) → target → its series. */
  private final ConcurrentHashMap<String, ConcurrentHashMap<Object, ConcurrentHashMap<Object, Series>>> cache = new ConcurrentHashMap<>();

  /**
   * The series of one label set of names, one data point per outcome, each made on its first
   * connect (an outcome that never happens shows no series). Two threads may make the same one
   * at once: the library returns the same data point for the same labels.
   */
  private final class Series {
    final Names names;
    final CounterDataPoint[] points = new CounterDataPoint[OUTCOMES.length];

    Series(Names names) {
      this.names = names;
    }

    void inc(Outcome o) {
      CounterDataPoint p = points[o.ordinal()];
      if (p == null) {
        p = opened.labelValues(names.sourceApp(), names.destination(), names.backend(), o.display());
        points[o.ordinal()] = p;
      }
      p.inc();
    }
  }

  public ConnectMetrics(PrometheusRegistry registry, Supplier<DataplaneState> state, int maxSeries) {
    Objects.requireNonNull(registry, "registry");
    this.state = Objects.requireNonNull(state, "state");
    if (maxSeries < 1) {
      throw new IllegalArgumentException("maxSeries must be positive, got " + maxSeries);
    }
    this.maxSeries = maxSeries;
    this.opened = Counter.builder()
        .name("ax_connections_opened_total")
        .help("TCP connects decided by the mesh, by source app, destination (vservice or service), backend dialed last, and outcome")
        .labelNames("source_app", "destination", "backend", "outcome")
        .register(registry);
    this.overflow = new Series(new Names(OVERFLOW, OVERFLOW, OVERFLOW));
  }

  private final java.util.concurrent.atomic.AtomicInteger cached = new java.util.concurrent.atomic.AtomicInteger();

  /** Forgets the resolved labels: apps, entries or vservices changed. */
  public void invalidate() {
    cache.clear();
    cached.set(0);
  }

  /** Counts one connect that the bridge reported. */
  public void ended(String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed, int errno) {
    Outcome outcome = Outcome.of(decision, dialed, errno);
    series(appId, destination, decision, dialed).inc(outcome);
  }

  private Series series(String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed) {
    Object balanced;
    Object target;
    switch (decision) {
      case ConnectDecision.Targets t -> {
        balanced = t.via();
        target = dialed == 0 ? NO_TARGET : t.targets().get(Math.min(dialed, t.targets().size()) - 1);
      }
      case ConnectDecision.Refuse r -> {
        balanced = destination;
        target = NO_TARGET;
      }
      case ConnectDecision.Direct d -> {
        balanced = OUTSIDE_KEY;
        target = OUTSIDE_KEY;
      }
      case ConnectDecision.ViaGateway g -> {
        balanced = OUTSIDE_KEY;
        target = g.gateway();
      }
    }
    // get() before computeIfAbsent: the hit path allocates no lambda.
    var byBalanced = cache.get(appId);
    if (byBalanced == null) {
      byBalanced = cache.computeIfAbsent(appId, k -> new ConcurrentHashMap<>());
    }
    var byTarget = byBalanced.get(balanced);
    if (byTarget == null) {
      byTarget = byBalanced.computeIfAbsent(balanced, k -> new ConcurrentHashMap<>());
    }
    Series series = byTarget.get(target);
    if (series == null) {
      series = byTarget.computeIfAbsent(target, k -> resolve(appId, destination, decision, dialed));
    }
    return series;
  }

  private Series resolve(String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed) {
    if (cached.incrementAndGet() > MAX_CACHED) {
      invalidate(); // the series stay; only the shortcut to them starts again
    }
    Names names = ConnectLabels.of(state.get(), appId, destination, decision, dialed);
    if (!seen.contains(names)) {
      // Two threads may both pass for a moment: the limit holds to within the handler threads.
      if (seen.size() >= maxSeries) {
        return overflow;
      }
      seen.add(names);
    }
    return new Series(names);
  }

  /** How many keys the cache holds (about: a reset is not atomic with the count). */
  int cachedKeys() {
    return cached.get();
  }

  /** How many distinct label sets (of names) have been made. */
  int seriesCount() {
    return seen.size();
  }
}
