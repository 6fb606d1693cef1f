package io.ax.core.daemon;

import io.ax.core.admin.AdminServer;
import io.ax.core.admin.AdminServices;
import io.ax.core.cluster.Cluster;
import io.ax.core.lb.SharedLbState;
import io.ax.core.admin.DecisionsService;
import io.ax.core.metrics.ConnectMetrics;
import io.ax.core.metrics.DaemonMetrics;
import io.ax.core.metrics.DecisionLog;
import io.ax.core.metrics.MetricsServer;
import io.ax.core.metrics.TcpCounterReader;
import io.ax.bridge.BridgeObserver;
import io.ax.bridge.sys.TcpDiag;
import io.ax.core.net.Ipv4;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.mesh.EgressRoutes;
import io.ax.core.net.Endpoints;
import io.ax.core.cluster.ClusterConfig;
import io.ax.core.federation.FederationConfig;
import io.ax.core.federation.FederationGateway;
import io.ax.core.federation.FederationGroup;
import io.ax.core.proxy.EgressGateway;
import io.ax.core.proxy.Exposures;
import io.ax.core.proxy.ProxyConfig;
import io.ax.core.proxy.TcpProxies;
import io.ax.bridge.SocketPolicy;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.server.BridgeServer;
import io.ax.bridge.sys.SockDiag;
import io.ax.bridge.sys.SysCallException;
import io.ax.core.dns.DnsConfig;
import io.ax.core.dns.DnsServer;
import io.ax.core.lb.ConnectionCounts;
import io.ax.core.claims.ClaimsGate;
import io.ax.core.claims.EtcAccounts;
import io.ax.core.mesh.AppRegistry;
import io.ax.core.mesh.BothObservers;
import io.ax.core.mesh.KernelConnectionCounts;
import io.ax.core.mesh.Loopbacks;
import io.ax.core.mesh.MeshSocketPolicy;
import io.ax.core.mesh.PortLeases;
import io.ax.core.mesh.RestartRecovery;
import io.ax.core.mesh.Scheduler;
import io.ax.core.model.NodeInfo;
import io.ax.core.model.ProxyInfo;
import io.ax.core.ports.EphemeralPorts;
import io.ax.core.ports.PortPool;
import io.ax.core.rest.RestApi;
import io.ax.core.rest.RestServer;
import io.ax.core.rest.RestToken;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StateFile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running ax daemon: the state (restored or cleaned), the admin API, the REST API and the
 * profilers, started in that order and stopped in reverse. A second daemon on the same run
 * directory is refused (a lock file), since two would fight over the state and the sockets.
 */
public final class Daemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);
  private final DaemonConfig config;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private DataplaneStore store;
  private RestServer rest;
  private PortPool portPool;
  private volatile Cluster cluster;
  private Exposures exposures;
  private TcpProxies proxies;
  private FederationGateway federation;
  /** The daemon's metrics; empty when /metrics is off, so that nothing counts then. */
  private Optional<DaemonMetrics> metrics = Optional.empty();

  private Daemon(DaemonConfig config) {
    this.config = config;
  }

  /**
   * Starts a daemon; on failure everything already started is stopped again.
   *
   * @throws DaemonStartException with one line saying what is wrong
   */
  public static Daemon start(DaemonConfig config) {
    Daemon d = new Daemon(Objects.requireNonNull(config, "config"));
    try {
      d.startAll();
      return d;
    } catch (DaemonStartException e) {
      d.close();
      throw e;
    } catch (IOException | RuntimeException e) {
      d.close();
      throw new DaemonStartException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }
  }

  private void startAll() throws IOException {
    Files.createDirectories(config.runDir());
    lockRunDir();
    started.push(Profiling.start(config.cpuProfile(), config.memProfile()));

    // The file keeps what this node owns; the others' entries are theirs to tell again.
    StateFile stateFile = new StateFile(config.stateFile(), Optional.of(config.nodeName()));
    DataplaneState initial;
    if (config.clean()) {
      stateFile.delete();
      Cluster.clean(config.stampFile());
      log.info("[daemon] --clean: removed the saved state in {}", config.runDir());
      initial = DataplaneState.EMPTY;
    } else {
      try {
        initial = stateFile.load().orElse(DataplaneState.EMPTY);
      } catch (StateFile.StateFileException e) {
        throw new DaemonStartException(e.getMessage() + "; move it away, or start with --clean to discard it", e);
      }
    }
    metrics = config.metrics().map(m -> new DaemonMetrics(config.nodeName(), ConnectMetrics.DEFAULT_MAX_SERIES));
    store = new DataplaneStore(initial, metrics.isPresent() ? metrics.get().timed(stateFile) : stateFile);
    metrics.ifPresent(m -> m.watch(store));
    metrics.ifPresent(this::followConnections);
    // Another cluster's services, imported by this node's last run, are learned again from the federation.
    FederationGateway.forgetSavedImports(store, config.nodeName());
    portPool = new PortPool(config.ports());
    EphemeralPorts.exposedOnThisNode(config.ports()).filter(open -> !open.isEmpty()).ifPresent(open -> log.info(
        "[daemon] pool ports {} are also the kernel's ephemeral ports: an outgoing connection may take one (it is then skipped for a minute);"
            + " reserve them with sysctl net.ipv4.ip_local_reserved_ports={} or give --ports outside net.ipv4.ip_local_port_range",
        open, config.ports()));
    MeshSocketPolicy.Node node = new MeshSocketPolicy.Node(config.nodeName(), config.cluster(), config.nodeIp(), config.locality());
    AppRegistry apps = new AppRegistry(store, node, new SecureRandom(), this::isOtherNode, new ClaimsGate(config.claims(), new EtcAccounts()));
    log.info("[daemon] claims: {} ({} rules)", config.claims().source(), config.claims().rules().size());
    PortLeases leases = new PortLeases(portPool);
    RestartRecovery recovery = new RestartRecovery(
        store, apps, leases, config.nodeName(), RestartRecovery.Liveness.PROCESSES, scheduler(), RestartRecovery.REREGISTER_GRACE);
    recovery.restorePorts();

    MeshSocketPolicy policy = new MeshSocketPolicy(store, node, apps, leases, new Loopbacks(), connectionCounts(), egressRoutes(), config.outbound());
    recovery.forgetDeadApps();
    DecisionLog decisions = DecisionLog.withSystemClock(store::current);
    metrics.ifPresent(m -> m.decisions(decisions));
    metrics.ifPresent(m -> m.ejections(policy::ejections));
    BridgeObserver observer = new BothObservers(policy.outlierFeed(), metrics.<BridgeObserver>map(m -> m).orElse(decisions));
    BridgeServer bridge = BridgeServer.start(config.runDir().resolve("bridge.sock"), policy, config.wakeUp(), observer);
    started.push(bridge);
    recovery.adoptRestored(bridge::adoptPublished);
    started.push(recovery.scheduleForgetUnreturned()::cancel);
    startCluster();
    startExposures();
    startFederation();

    startDns();

    AdminServices services = new AdminServices(store, this::nodes, this::proxies);
    List<io.grpc.BindableService> admin = new java.util.ArrayList<>(services.all());
    admin.add(new DecisionsService(decisions));
    started.push(AdminServer.start(config.admin(), metrics.map(m -> m.intercepted(admin)).orElse(admin)));
    RestToken token;
    try {
      token = RestToken.create(config.runDir().resolve(RestToken.FILE), config.admin().group());
    } catch (IOException e) {
      throw new DaemonStartException("cannot write the REST token: " + e.getMessage(), e);
    }
    try {
      rest = RestServer.start(config.rest(), new RestApi(store, this::nodes, this::proxies), token, status -> metrics.ifPresent(m -> m.restResponse(status)));
    } catch (RuntimeException e) {
      throw new DaemonStartException("cannot serve REST on " + config.rest().getHostString() + ":" + config.rest().getPort() + ": " + rootMessage(e), e);
    }
    started.push(rest);
    startMetrics();
    log.info(
        "[daemon] node {} ({}) in cluster {} is up: {} vservices, ports {}, outbound traffic {}",
        config.nodeName(), config.nodeIp(), config.cluster(), store.current().vservices().size(), config.ports(), config.outbound());
  }

  /** Istio's TCP metrics, when the kernel lets us read its sockets' counters (CAP_NET_ADMIN). */
  private void followConnections(DaemonMetrics m) {
    TcpDiag diag;
    try {
      diag = TcpDiag.open();
    } catch (SysCallException e) {
      log.warn("[daemon] cannot read TCP counters through sock_diag ({}): no Istio TCP metrics", e.getMessage());
      return;
    }
    started.push(m.followConnections(diag, TcpCounterReader.DEFAULT_POLL));
  }

  /** {@code /metrics}, last: everything it reads is running. */
  private void startMetrics() {
    if (metrics.isEmpty()) {
      return;
    }
    InetSocketAddress at = config.metrics().orElseThrow();
    try {
      started.push(MetricsServer.start(at, metrics.get().registry()));
    } catch (IOException e) {
      throw new DaemonStartException(
          "cannot serve metrics on " + at.getHostString() + ":" + at.getPort() + ": " + rootMessage(e) + " (--metrics-port 0 turns them off)", e);
    }
  }

  private void lockRunDir() throws IOException {
    Path lockPath = config.lockFile();
    FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new DaemonStartException("another ax daemon is running on " + config.runDir() + " (it holds " + lockPath + ")", null);
    }
    started.push(() -> {
      lock.release();
      channel.close();
    });
  }

  /**
   * Joins the cluster, after restart recovery has judged this node's restored apps: from here on
   * the table also holds the other nodes' entries.
   */
  private void startCluster() {
    if (config.peers().isEmpty()) {
      return;
    }
    Cluster.Self self = config.egressGateway()
        ? new Cluster.Self(config.nodeName(), config.cluster(), config.nodeIp().toString(), "", List.of("compute", Cluster.EGRESS_GATEWAY_ROLE), EgressGateway.DEFAULT_PORT)
        : new Cluster.Self(config.nodeName(), config.cluster(), config.nodeIp().toString(), "", List.of("compute"));
    try {
      cluster = Cluster.start(config.peers().get(), store, self, config.stampFile());
    } catch (Cluster.ClusterStartException e) {
      throw new DaemonStartException(e.getMessage(), e);
    }
    started.push(cluster);
  }

  /**
   * Every-node exposure: proxy listeners for apps exposed on 0.0.0.0 on other nodes and for
   * external vservices. After the cluster, so that the first plan sees the peers' apps.
   */
  private void startExposures() {
    proxies = new TcpProxies(ProxyConfig.DEFAULT);
    started.push(proxies);
    exposures = Exposures.start(store, config.nodeName(), config.nodeIp(), proxies, new SharedLbState());
    started.push(exposures);
    if (config.egressGateway()) {
      Inet4Endpoint at = Endpoints.of(config.nodeIp(), EgressGateway.DEFAULT_PORT);
      EgressGateway gateway;
      try {
        gateway = EgressGateway.start(proxies, at);
      } catch (TcpProxies.BindFailedException e) {
        throw new DaemonStartException("--egress-gateway: " + e.getMessage(), e);
      }
      started.push(gateway);
      cluster.onEgressRoutes(gateway::announce);
    }
  }

  /**
   * This node as a federation gateway: after the cluster, so that the first summary it sends the
   * other clusters holds the peers' services.
   */
  private void startFederation() {
    if (config.federation().isEmpty()) {
      return;
    }
    FederationConfig f = config.federation().get();
    ClusterConfig gossip = new ClusterConfig(f.gossipPort(), f.neighbors(), false, f.tls(), ClusterConfig.Timing.DEFAULT, ClusterConfig.Limits.DEFAULT);
    try {
      federation = FederationGateway.start(store, config.nodeName(), config.cluster(), config.nodeIp(), f, gossip, proxies, new SharedLbState(), this::isClusterNode);
    } catch (FederationGroup.FederationStartException e) {
      throw new DaemonStartException(e.getMessage(), e);
    }
    started.push(federation);
  }

  /**
   * The cluster's egress gateway for this node's apps: connects to destinations outside the mesh
   * (not the cluster's nodes) go through it while one is a live member.
   */
  private EgressRoutes egressRoutes() {
    return new EgressRoutes() {
      @Override
      public Optional<Inet4Endpoint> gateway(Inet4Endpoint destination) {
        Cluster c = cluster;
        if (c == null || c.nodeIps().contains(destination.ip())) {
          return Optional.empty();
        }
        return c.egressGateway();
      }

      @Override
      public void announce(Inet4Endpoint local, Inet4Endpoint gateway, Inet4Endpoint destination) {
        Cluster c = cluster;
        if (c != null) {
          c.routeEgress(local, gateway, destination);
        }
      }
    };
  }

  /**
   * The DNS server on NODE-IP:53, and the resolv.conf that {@code ax run --dns-override} gives
   * apps (written atomically: apps started earlier keep the file they mounted).
   */
  private void startDns() throws IOException {
    Path resolv = config.resolvConf();
    if (config.dns().isEmpty()) {
      Files.deleteIfExists(resolv);
      return;
    }
    DnsConfig dns = config.dns().get();
    try {
      DnsServer server = DnsServer.start(dns, store::current);
      started.push(server);
      metrics.ifPresent(m -> m.dnsStats(server.stats()));
    } catch (IOException e) {
      throw new DaemonStartException(
          "cannot serve DNS on " + dns.listen().getHostString() + ":" + dns.listen().getPort() + ": " + e.getMessage() + " (--dns=false turns the DNS server off)", e);
    }
    Path temp = resolv.resolveSibling("resolv.conf.tmp");
    Files.writeString(temp, "# written by ax daemon for apps under ax run --dns-override\n"
        + "nameserver " + dns.listen().getHostString() + "\n"
        + "search " + dns.domain() + "\n"
        + "options ndots:1 timeout:2 attempts:2\n");
    Files.move(temp, resolv, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    log.info("[dns] serving {} and forwarding to {}", dns.domain(), dns.upstreams().isEmpty() ? "nobody" : dns.upstreams());
  }

  /** The kernel's connection counts for least connections, or none when netlink is closed to us. */
  private ConnectionCounts connectionCounts() {
    SockDiag diag;
    try {
      diag = SockDiag.open();
    } catch (SysCallException e) {
      log.warn("[daemon] cannot open sock_diag ({}): LeastConn vservices will not see open connections", e.getMessage());
      return ConnectionCounts.NONE;
    }
    started.push(diag);
    return new KernelConnectionCounts(() -> {
      Map<Inet4Endpoint, Integer> counts = new java.util.HashMap<>();
      diag.connectionsByPeer(SockDiag.CONNECTED_STATES).forEach((peer, n) -> counts.put(peer, n));
      return counts;
    }, KernelConnectionCounts.DEFAULT_REFRESH, System::nanoTime, KernelConnectionCounts.virtualThreads());
  }

  /**
   * Runs restart recovery's delayed check on one virtual thread; stopping the daemon cancels what
   * has not run yet.
   */
  private Scheduler scheduler() {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("ax-restart-recovery").factory());
    started.push(executor::shutdownNow);
    return Scheduler.of(executor);
  }

  /** Whether {@code ip} is a node's of this cluster (this one included). */
  private boolean isClusterNode(int ip) {
    Cluster c = cluster;
    return ip == config.nodeIp().bits() || (c != null && c.nodeIps().contains(ip));
  }

  /** Whether {@code ip} is another live node's of this cluster (for {@code --expose APPPORT:NODE-IP:HOSTPORT}). */
  private boolean isOtherNode(Ipv4 ip) {
    Cluster c = cluster;
    return c != null && c.nodes(store.current()).values().stream().anyMatch(n -> n.alive() && !n.name().equals(config.nodeName()) && n.ip().equals(ip.toString()));
  }

  /** The nodes as one snapshot sees them: every member, or this node alone outside a cluster. */
  private Map<String, NodeInfo> nodes(DataplaneState s) {
    if (cluster != null) {
      return cluster.nodes(s);
    }
    int apps = (int) s.apps().values().stream().filter(a -> a.nodeId().equals(config.nodeName())).count();
    return Map.of(config.nodeName(), new NodeInfo(config.nodeName(), config.cluster(), config.nodeIp().toString(), "", List.of("compute"), apps));
  }

  /** The proxies running on this node: every-node exposure, then the federation gateway's. */
  private Map<String, ProxyInfo> proxies() {
    Map<String, ProxyInfo> out = new java.util.LinkedHashMap<>();
    if (exposures != null) {
      out.putAll(exposures.proxies());
    }
    if (federation != null) {
      out.putAll(federation.proxies());
    }
    return out;
  }

  public DataplaneStore store() {
    return store;
  }

  /** Host ports for apps' listening sockets. */
  public PortPool portPool() {
    return portPool;
  }

  public int restPort() {
    return rest.port();
  }

  /** Blocks until {@link #close()} has run. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  @Override
  public void close() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        log.warn("[daemon] error while stopping: {}", e.toString());
      }
    }
    stopped.countDown();
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }

  /** The daemon could not start; the message is one line for the user. */
  public static final class DaemonStartException extends RuntimeException {
    public DaemonStartException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
