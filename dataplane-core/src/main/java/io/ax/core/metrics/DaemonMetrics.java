package io.ax.core.metrics;

import io.ax.bridge.BridgeObserver;
import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.dns.DnsStats;
import io.ax.core.model.ServerEntry;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StatePersistence;
import io.grpc.BindableService;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The daemon's metrics, in one {@link PrometheusRegistry} of its own (not the library's static
 * default, so that two daemons in one JVM, as in tests, never share series):
 *
 * <ul>
 *   <li>state, read from the current snapshot at each scrape: {@code ax_apps},
 *       {@code ax_service_entries{node}}, {@code ax_sockets}, {@code ax_vservices};
 *   <li>the bridge's calls and connects ({@link CallMetrics}, {@link ConnectMetrics}), as its
 *       {@link BridgeObserver};
 *   <li>state writes, through {@link #timed(StatePersistence)};
 *   <li>DNS queries by outcome, read from the DNS server's {@link DnsStats} at each scrape;
 *   <li>admin gRPC calls ({@link #adminInterceptor}) and REST requests ({@link #restResponse});
 *   <li>the JVM's and the process's own metrics (the client library's {@code jvm_*} and
 *       {@code process_*}).
 * </ul>
 *
 * Thread-safe: the library's metrics are, the callbacks read immutable snapshots, and the DNS
 * stats are set once at start.
 */
public final class DaemonMetrics implements BridgeObserver {
  /** From 100 µs to 10 s: a state file of 10,000 vservices takes tens of ms to write. */
  static final double[] WRITE_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final CallMetrics calls;
  private final ConnectMetrics connects;
  private final Counter stateWrites;
  private final DistributionDataPoint stateWriteDuration;
  private final Counter adminRequests;
  private final Counter restRequests;
  private volatile DnsStats dns;
  private volatile BridgeObserver decisions = BridgeObserver.NONE;
  private volatile DataplaneStore store;
  private volatile IstioTcpMetrics istio;
  private volatile java.util.function.LongSupplier ejections = () -> 0;

  /**
   * Metrics that read an empty state until {@link #watch} gives them the store.
   *
   * @param nodeName this node: {@code ax_apps} and {@code ax_sockets} count its own
   * @param maxConnectSeries the most label sets {@code ax_connections_opened_total} makes
   */
  public DaemonMetrics(String nodeName, int maxConnectSeries) {
    Objects.requireNonNull(nodeName, "nodeName");
    Supplier<DataplaneState> state = () -> store == null ? DataplaneState.EMPTY : store.current();
    JvmMetrics.builder().register(registry);
    calls = new CallMetrics(registry);
    connects = new ConnectMetrics(registry, state, maxConnectSeries);
    GaugeWithCallback.builder()
        .name("ax_apps")
        .help("Apps registered on this node")
        .callback(cb -> cb.call(state.get().apps().values().stream().filter(a -> a.nodeId().equals(nodeName)).count()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ax_service_entries")
        .help("Service table entries, by the node that owns them")
        .labelNames("node")
        .callback(cb -> entriesPerNode(state.get()).forEach((node, n) -> cb.call(n, node)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ax_sockets")
        .help("Listening sockets of this node's apps")
        .callback(cb -> cb.call(state.get().sockets().values().stream().filter(s -> s.nodeId().equals(nodeName)).count()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ax_vservices")
        .help("Virtual services")
        .callback(cb -> cb.call(state.get().vservices().size()))
        .register(registry);
    CounterWithCallback.builder()
        .name("ax_dns_queries_total")
        .help("DNS queries handled by the daemon's DNS server, by outcome")
        .labelNames("outcome")
        .callback(cb -> {
          DnsStats s = dns;
          if (s != null) {
            for (DnsStats.Counter c : DnsStats.OUTCOMES) {
              cb.call(s.get(c), c.name().toLowerCase(Locale.ROOT));
            }
          }
        })
        .register(registry);
    stateWrites = Counter.builder()
        .name("ax_state_writes_total")
        .help("Writes of the state file, by result")
        .labelNames("result")
        .register(registry);
    stateWriteDuration = Histogram.builder()
        .name("ax_state_write_duration_seconds")
        .help("Time to write the state file")
        .unit(Unit.SECONDS)
        .classicOnly()
        .classicUpperBounds(WRITE_BUCKETS)
        .register(registry);
    adminRequests = Counter.builder()
        .name("ax_admin_requests_total")
        .help("Admin gRPC calls, by method and status code")
        .labelNames("method", "code")
        .register(registry);
    restRequests = Counter.builder()
        .name("ax_rest_requests_total")
        .help("REST API requests, by HTTP status code")
        .labelNames("code")
        .register(registry);
    CounterWithCallback.builder()
        .name("ax_outlier_ejections_total")
        .help("Backends ejected by outlier detection on this node (each ejection once)")
        .callback(cb -> cb.call(ejections.getAsLong()))
        .register(registry);
    // Zero from the start, so that rate() and absent() work before the first write or failure.
    stateWrites.initLabelValues("ok");
    stateWrites.initLabelValues("failed");
  }

  /**
   * Reads the state gauges from {@code store}'s snapshots, and drops the connect labels' cache
   * whenever its apps, entries or vservices change.
   */
  public void watch(DataplaneStore store) {
    this.store = Objects.requireNonNull(store, "store");
    store.addListener((before, after) -> {
      if (before.apps() != after.apps() || before.servers() != after.servers() || before.vservices() != after.vservices()) {
        connects.invalidate();
        IstioTcpMetrics i = istio;
        if (i != null) {
          i.invalidate();
        }
      }
    });
  }

  /**
   * Adds Istio's TCP metrics, fed by the kernel's counters through {@code diag} (which the
   * returned reader owns): from now on the bridge reads each connected socket's cookie.
   */
  public TcpCounterReader followConnections(io.ax.bridge.sys.TcpDiag diag, java.time.Duration poll) {
    IstioTcpMetrics i = new IstioTcpMetrics(registry, () -> store == null ? DataplaneState.EMPTY : store.current(), ConnectMetrics.DEFAULT_MAX_SERIES, IstioTcpMetrics.DEFAULT_MAX_FOLLOWED);
    TcpCounterReader reader = TcpCounterReader.start(diag, i, poll);
    istio = i;
    return reader;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** The DNS server's counters, once it runs. */
  public void dnsStats(DnsStats stats) {
    this.dns = Objects.requireNonNull(stats, "stats");
  }

  /** Where {@code ax_outlier_ejections_total} is read from. */
  public void ejections(java.util.function.LongSupplier count) {
    this.ejections = Objects.requireNonNull(count, "count");
  }

  /** Also tells every connect's end to {@code decisions} (the decision log). */
  public void decisions(BridgeObserver observer) {
    this.decisions = Objects.requireNonNull(observer, "observer");
  }

  @Override
  public void answered(Syscall syscall, Answer answer, long nanos) {
    calls.answered(syscall, answer, nanos);
  }

  @Override
  public boolean followsConnections() {
    return istio != null;
  }

  @Override
  public void opened(String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed, long cookie) {
    IstioTcpMetrics i = istio;
    if (i != null) {
      i.opened(appId, decision, dialed, cookie);
    }
  }

  @Override
  public void connectDecided(long nanos) {
    calls.decided(nanos);
  }

  @Override
  public void connectEnded(String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed, int errno) {
    connects.ended(appId, destination, decision, dialed, errno);
    decisions.connectEnded(appId, destination, decision, dialed, errno);
  }

  /** {@code persistence}, counting and timing each save. */
  public StatePersistence timed(StatePersistence persistence) {
    Objects.requireNonNull(persistence, "persistence");
    return s -> {
      long t0 = System.nanoTime();
      boolean ok = false;
      try {
        persistence.save(s);
        ok = true;
      } finally {
        stateWriteDuration.observe((System.nanoTime() - t0) / 1e9);
        stateWrites.labelValues(ok ? "ok" : "failed").inc();
      }
    };
  }

  /** Counts a REST response by its status code. */
  public void restResponse(int status) {
    restRequests.labelValues(Integer.toString(status)).inc();
  }

  /** The admin API's {@code services}, each call counted by {@link #adminInterceptor}. */
  public List<BindableService> intercepted(List<BindableService> services) {
    ServerInterceptor counting = adminInterceptor();
    return services.stream().<BindableService>map(s -> () -> ServerInterceptors.intercept(s, counting)).toList();
  }

  /** Counts each admin call by method and gRPC status when it closes. */
  public ServerInterceptor adminInterceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        // Method names come from our own services, not from the client: bounded.
        String method = call.getMethodDescriptor().getBareMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            adminRequests.labelValues(method == null ? "unknown" : method, status.getCode().name()).inc();
            super.close(status, trailers);
          }
        }, headers);
      }
    };
  }

  private static Map<String, Long> entriesPerNode(DataplaneState s) {
    Map<String, Long> n = new HashMap<>();
    for (ServerEntry e : s.servers().values()) {
      n.merge(e.nodeId(), 1L, Long::sum);
    }
    return n;
  }

  /** For tests: how many connect label sets were made. */
  int connectSeries() {
    return connects.seriesCount();
  }
}
