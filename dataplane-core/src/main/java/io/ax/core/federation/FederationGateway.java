package io.ax.core.federation;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.cluster.ClusterConfig;
import io.ax.core.decision.ConnectDecider;
import io.ax.core.lb.Candidate;
import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.LbState;
import io.ax.core.lb.PickContext;
import io.ax.core.model.ProxyInfo;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.proxy.TcpProxies;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StateListener;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node as a federation gateway of its cluster ({@code ax daemon --federation-gateway-ip}).
 * It has three parts:
 *
 * <ul>
 *   <li>the federation gossip ({@link FederationGroup}): it tells the other clusters' gateways
 *       what this cluster offers ({@link ExportedService#of}) and hears what they offer;
 *   <li>the egress federation gateway service ({@link Imports}): the other clusters' services as
 *       entries of this cluster's table, each backed by a listener on this node that carries
 *       connections to a gateway of the cluster that serves it;
 *   <li>the ingress federation gateway service, on {@code --federation-gateway-ip}:6660: it takes
 *       connections from the other clusters' gateways only, reads the PROXY header that names the
 *       service asked for, and carries each to a server of this cluster as the every-node proxy
 *       would an outside client's (vservices' policies apply; outside clients have no labels, and
 *       the label ACL was applied by the client's own node against the servers' labels).
 * </ul>
 *
 * The client and the server see a normal TCP connection; two proxies are in its path (the two
 * gateways), as in AppSwitch.
 */
public final class FederationGateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FederationGateway.class);
  /** How long the table may change before the summary goes out: a burst of registrations is one message. */
  static final long PUBLISH_DELAY_MS = 100;

  private final DataplaneStore store;
  private final String node;
  private final String cluster;
  private final Inet4Endpoint ingressAdvertised;
  private final LbState lb;
  private final Imports imports;
  private final ExecutorService worker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ax-federation").factory());
  private final AtomicBoolean publishPending = new AtomicBoolean();
  private final StateListener listener = this::onCommit;
  private TcpProxies.Listener ingress;
  private FederationGroup group;
  // Worker thread only.
  private List<ExportedService> published;
  private long version;

  private FederationGateway(
      DataplaneStore store, String node, String cluster, Ipv4 nodeIp, FederationConfig config, TcpProxies proxies, LbState lb, java.util.function.IntPredicate clusterNode) {
    this.store = store;
    this.node = node;
    this.cluster = cluster;
    this.ingressAdvertised = Endpoints.of(config.advertiseIp(), config.port());
    this.lb = lb;
    this.imports = new Imports(store, node, nodeIp, proxies, clusterNode);
  }

  /** Removes what a previous run of this node imported; called at every start, gateway or not. */
  public static void forgetSavedImports(DataplaneStore store, String node) {
    Imports.forgetSaved(store, node);
  }

  /**
   * Opens the ingress listener, joins the federation and starts publishing this cluster's
   * services and importing the others'.
   *
   * @param gossip the federation group's transport settings (port, neighbors, TLS)
   * @param clusterNode whether an IP is one of this cluster's nodes' (never imported)
   * @throws FederationStartException with one line when a port cannot be opened
   */
  public static FederationGateway start(
      DataplaneStore store, String node, String cluster, Ipv4 nodeIp, FederationConfig config, ClusterConfig gossip, TcpProxies proxies, LbState lb,
      java.util.function.IntPredicate clusterNode) {
    FederationGateway g = new FederationGateway(store, node, cluster, nodeIp, config, proxies, lb, clusterNode);
    try {
      g.ingress = proxies.listenForHeader(Endpoints.of(config.gatewayIp(), config.port()), g::ingressRoute);
    } catch (TcpProxies.BindFailedException e) {
      g.close();
      throw new FederationGroup.FederationStartException("--federation-gateway-port: " + e.getMessage(), e);
    }
    InetAddress bind;
    InetAddress advertised;
    try {
      bind = InetAddress.getByAddress(config.gatewayIp().toBytes());
      advertised = InetAddress.getByAddress(config.advertiseIp().toBytes());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an address
    }
    try {
      g.group = FederationGroup.join(gossip, bind, advertised, cluster, cluster + "/" + node, remote -> g.worker.execute(() -> g.imports.apply(remote)));
    } catch (RuntimeException e) {
      g.close();
      throw e;
    }
    store.addListener(g.listener, initial -> g.publishSoon());
    log.info("[federation] node {} is a gateway of cluster {}: ingress on {} (advertised {}), federation gossip on {}:{}, neighbors {}",
        node, cluster, g.ingress.address(), g.ingressAdvertised, config.gatewayIp(), gossip.gossipPort(), gossip.neighbors());
    return g;
  }

  private void onCommit(DataplaneState before, DataplaneState after) {
    if (before.servers() != after.servers() || before.vservices() != after.vservices()) {
      publishSoon();
    }
  }

  private void publishSoon() {
    if (publishPending.compareAndSet(false, true)) {
      ((java.util.concurrent.ScheduledExecutorService) worker).schedule(() -> {
        publishPending.set(false);
        try {
          publish();
        } catch (RuntimeException e) {
          log.error("[federation] could not publish this cluster's services", e);
        }
      }, PUBLISH_DELAY_MS, TimeUnit.MILLISECONDS);
    }
  }

  private void publish() {
    List<ExportedService> now = ExportedService.of(store.current(), cluster);
    if (now.equals(published)) {
      return;
    }
    published = now;
    group.publish(node, ingressAdvertised, ++version, now);
    log.debug("[federation] published {} services of cluster {} (version {})", now.size(), cluster, version);
  }

  /**
   * Where a connection that another cluster's gateway sent goes: to a server of this cluster at
   * the address its PROXY header names. Only gateways of the federation are served, so the
   * ingress is no open door into the cluster.
   */
  private CompletionStage<ConnectDecision> ingressRoute(Inet4Endpoint peer, Inet4Endpoint source, Inet4Endpoint destination) {
    FederationGroup g = group;
    if (g == null || !g.isGateway(peer.ip())) {
      return done(new ConnectDecision.Refuse(Errno.ECONNREFUSED, peer + " is not a gateway of the federation"));
    }
    DataplaneState s = store.current();
    Ipv4 client = new Ipv4(source.ip());
    ConnectDecision d;
    Optional<VService> vs = s.vserviceAt(destination);
    if (vs.isPresent()) {
      d = ConnectDecider.decideOutside(s, vs.get(), Transport.TCP, destination.port(), client, lb);
    } else {
      List<Candidate<Inet4Endpoint>> candidates = new ArrayList<>();
      for (ServerEntry e : s.serversAt(destination)) {
        if (e.protocol() == Transport.TCP && e.cluster().equals(cluster)) {
          candidates.add(new Candidate<>(e.hostAddr(), e.hostAddr(), 1));
        }
      }
      String key = "ingress/" + destination;
      d = candidates.isEmpty()
          ? new ConnectDecision.Refuse(Errno.ECONNREFUSED, destination + " is not served in cluster " + cluster)
          : new ConnectDecision.Targets(key, LbPolicy.ROUND_ROBIN.order(candidates, new PickContext(key, lb, client)));
    }
    if (d instanceof ConnectDecision.Targets t) {
      // Never back out through an import: a service is served by the cluster that offers it.
      Set<Inet4Endpoint> out = imports.listening();
      List<Inet4Endpoint> here = t.targets().stream().filter(x -> !out.contains(x)).toList();
      d = here.isEmpty() ? new ConnectDecision.Refuse(Errno.ECONNREFUSED, destination + " is not served in cluster " + cluster) : new ConnectDecision.Targets(t.via(), here);
    }
    return done(d);
  }

  private static CompletionStage<ConnectDecision> done(ConnectDecision d) {
    return CompletableFuture.completedFuture(d);
  }

  /** The other clusters as this gateway knows them. */
  public Map<String, RemoteCluster> remoteClusters() {
    FederationGroup g = group;
    return g == null ? Map.of() : g.remote();
  }

  /** The ingress listener and the import listeners, for {@code ax get proxies}. */
  public Map<String, ProxyInfo> proxies() {
    Map<String, ProxyInfo> out = new LinkedHashMap<>();
    if (ingress != null) {
      // AppSwitch shows the ingress with the any-address as its dialer: it dials what each header names.
      out.put("federation-ingress", new ProxyInfo("federation-ingress", Transport.TCP, ingress.address(), List.of(new Inet4Endpoint(0, 0))));
    }
    out.putAll(imports.proxies());
    return out;
  }

  /** Waits until what the federation told this gateway so far is in the table; for tests. */
  public void awaitApplied() throws InterruptedException {
    try {
      worker.submit(() -> {}).get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public void close() {
    store.removeListener(listener);
    if (group != null) {
      group.close();
    }
    worker.shutdown();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    imports.close();
    if (ingress != null) {
      ingress.close();
    }
  }
}
