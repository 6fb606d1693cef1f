package io.ax.core.mesh;

import io.ax.bridge.SocketPolicy;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.decision.ConnectDecider;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.ConnectionCounts;
import io.ax.core.lb.SharedLbState;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.ExposedPort;
import io.ax.core.model.Locality;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.ports.PortPool;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's answers to the syscall bridge: apps become {@link App}s, binds get ports from the
 * pool (or the {@code --expose} port), listening sockets become service table entries, and every
 * connect is the {@link ConnectDecider}'s decision on the current snapshot. A thin front over its
 * parts, each of which says how its state is confined:
 *
 * <ul>
 *   <li>{@link AppRegistry}: apps, their ids, names, vIPs and {@code --expose} mappings;
 *   <li>{@link PortLeases}: the pool ports each app holds;
 *   <li>{@link Loopbacks}: each app's own loopback.
 * </ul>
 *
 * <p>The rule that decides where state lives: what another node will need (apps, service table
 * entries, sockets, vservices) is in the {@link DataplaneStore}'s immutable snapshot, persisted
 * and, with clusters, replicated; what only this node's kernel sockets need (leased pool ports,
 * loopback sockets, who registered since start) is in the node-local parts and rebuilt after a
 * restart ({@link RestartRecovery}). Thread-safe, as the bridge needs: this class holds no
 * mutable state besides the balancers' ({@link SharedLbState}, thread-safe), reads take a
 * snapshot, and writes go through the store or the parts.
 */
public final class MeshSocketPolicy implements SocketPolicy {
  private static final Logger log = LoggerFactory.getLogger(MeshSocketPolicy.class);

  /** This node, as the policy needs it; {@code locality} is its {@code --locality}. */
  public record Node(String name, String cluster, Ipv4 ip, Locality locality) {
    public Node {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(ip, "ip");
      Objects.requireNonNull(locality, "locality");
    }

    /** A node of no known locality. */
    public Node(String name, String cluster, Ipv4 ip) {
      this(name, cluster, ip, Locality.NONE);
    }
  }

  private final DataplaneStore store;
  private final Node node;
  private final AppRegistry apps;
  private final PortLeases leases;
  private final Loopbacks loopbacks;
  private final SharedLbState lb;
  private final MeshAddresses meshAddresses;
  private final EgressRoutes egress;
  private final OutboundPolicy outbound;

  /**
   * A policy over parts that the daemon shares with its {@link RestartRecovery}.
   *
   * @param apps registers into {@code store} for {@code node}
   * @param connections open connections per backend, for least-connections vservices
   */
  public MeshSocketPolicy(DataplaneStore store, Node node, AppRegistry apps, PortLeases leases, Loopbacks loopbacks, ConnectionCounts connections) {
    this(store, node, apps, leases, loopbacks, connections, EgressRoutes.NONE);
  }

  /**
   * A policy over parts that the daemon shares with its {@link RestartRecovery}.
   *
   * @param apps registers into {@code store} for {@code node}
   * @param connections open connections per backend, for least-connections vservices
   * @param egress the cluster's egress gateway, for destinations outside the mesh
   */
  public MeshSocketPolicy(
      DataplaneStore store, Node node, AppRegistry apps, PortLeases leases, Loopbacks loopbacks, ConnectionCounts connections, EgressRoutes egress) {
    this(store, node, apps, leases, loopbacks, connections, egress, OutboundPolicy.ALLOW_ANY);
  }

  /**
   * A policy over parts that the daemon shares with its {@link RestartRecovery}.
   *
   * @param apps registers into {@code store} for {@code node}
   * @param connections open connections per backend, for least-connections vservices
   * @param egress the cluster's egress gateway, for destinations outside the mesh
   * @param outbound whether destinations outside the mesh may be connected at all
   */
  public MeshSocketPolicy(
      DataplaneStore store, Node node, AppRegistry apps, PortLeases leases, Loopbacks loopbacks, ConnectionCounts connections, EgressRoutes egress,
      OutboundPolicy outbound) {
    this.outbound = Objects.requireNonNull(outbound, "outbound");
    this.egress = Objects.requireNonNull(egress, "egress");
    this.store = Objects.requireNonNull(store, "store");
    this.node = Objects.requireNonNull(node, "node");
    this.apps = Objects.requireNonNull(apps, "apps");
    this.leases = Objects.requireNonNull(leases, "leases");
    this.loopbacks = Objects.requireNonNull(loopbacks, "loopbacks");
    this.lb = new SharedLbState(connections);
    this.meshAddresses = new MeshAddresses();
    store.addListener(meshAddresses, meshAddresses::addAll);
    // The balancers' memory of a deleted vservice goes with it.
    store.addListener((before, after) -> {
      if (before.vservices() != after.vservices()) {
        before.vservices().keySet().stream().filter(name -> !after.vservices().containsKey(name)).forEach(lb::forget);
      }
    });
  }

  /**
   * A policy with parts of its own.
   *
   * @param random picks the ids of new apps
   * @param connections open connections per backend, for least-connections vservices
   */
  public MeshSocketPolicy(DataplaneStore store, PortPool pool, Node node, RandomGenerator random, ConnectionCounts connections) {
    this(store, node, new AppRegistry(store, node, random), new PortLeases(pool), new Loopbacks(), connections);
  }

  /** A policy whose least-connections vservices see no connections. */
  public MeshSocketPolicy(DataplaneStore store, PortPool pool, Node node, RandomGenerator random) {
    this(store, pool, node, random, ConnectionCounts.NONE);
  }

  @Override
  public AppGrant register(Registration r) throws RegistrationRefusedException {
    try {
      App app = apps.register(r);
      return new AppGrant(app.id().value(), app.appIp().bits());
    } catch (InvalidFieldException e) {
      throw new RegistrationRefusedException(e.getMessage());
    }
  }

  /** Whether the app registered with this daemon (not only restored from its state file). */
  public boolean registeredSinceStart(AppId id) {
    return apps.registeredSinceStart(id);
  }

  @Override
  public void unregister(String appId) {
    AppId id = new AppId(appId);
    leases.releaseAll(id);
    apps.forget(id);
    loopbacks.forget(id);
  }

  @Override
  public BindDecision bind(String appId, Transport transport, Inet4Endpoint requested) {
    AppId id = new AppId(appId);
    App app = store.current().apps().get(id);
    if (app == null) {
      return new BindDecision.Refuse(Errno.EACCES);
    }
    int virtualIp = requested.isAnyAddress() ? app.appIp().bits() : requested.ip();
    if (virtualIp != app.appIp().bits() && virtualIp != node.ip().bits() && !requested.isLoopback()) {
      // As the kernel answers a bind to an address the host does not have: an app may not claim
      // another app's IP or an address outside the mesh.
      return new BindDecision.Refuse(Errno.EADDRNOTAVAIL);
    }
    Inet4Endpoint virtual = new Inet4Endpoint(virtualIp, requested.port());
    // An exposure on another node's IP is that node's proxy's to serve: here the socket gets a
    // pool port like any other, and that proxy connects to it.
    Optional<ExposedPort> exposed = app.exposureOf(requested.port()).filter(x -> x.nodeIp().map(ip -> ip.isAny() || ip.equals(node.ip())).orElse(true));
    if (exposed.isPresent()) {
      // The operator named this port: a busy one is the kernel's EADDRINUSE for the app.
      ExposedPort x = exposed.get();
      return new BindDecision.Real(new Inet4Endpoint(x.nodeIp().map(Ipv4::bits).orElse(0), x.hostPort()), virtual, PortChoice.FIXED);
    }
    OptionalInt port = leases.lease(id);
    if (port.isEmpty()) {
      log.warn("[mesh] app {}: every port of --ports {} is in use", appId, leases.pool().ranges());
      return new BindDecision.Refuse(Errno.EADDRINUSE);
    }
    if (requested.port() == 0) {
      // "Any port": the pool port itself, seen by the app at its own IP (getsockname, and the
      // service address others reach it by).
      virtual = new Inet4Endpoint(virtualIp, port.getAsInt());
    }
    if (requested.isLoopback()) {
      return new BindDecision.Real(new Inet4Endpoint(Inet4Endpoint.LOOPBACK, port.getAsInt()), virtual, PortChoice.PICKED);
    }
    // Bound to the node's address only, not 0.0.0.0: loopback, 0.0.0.0 and the node's other
    // addresses must not reach a pool port around the label ACL (rule 3 judges NODE-IP:PORT).
    return new BindDecision.Real(new Inet4Endpoint(node.ip().bits(), port.getAsInt()), virtual, PortChoice.PICKED);
  }

  @Override
  public void released(String appId, Transport transport, Inet4Endpoint real) {
    leases.release(new AppId(appId), real.port());
  }

  @Override
  public void busy(String appId, Transport transport, Inet4Endpoint real) {
    if (leases.busy(new AppId(appId), real.port())) {
      log.info("[mesh] app {}: pool port {} is taken outside this daemon; skipping it for {} s", appId, real.port(), leases.pool().busyFor().toSeconds());
    }
  }

  @Override
  public void published(String appId, long inode, Transport transport, Inet4Endpoint virtual, Inet4Endpoint real, int backlog) {
    AppId appKey = new AppId(appId);
    App app = store.current().apps().get(appKey);
    if (app == null) {
      return;
    }
    if (virtual.isLoopback()) {
      loopbacks.publish(appKey, inode, transport, virtual, real);
      return;
    }
    Ipv4 hostIp = real.isAnyAddress() ? node.ip() : new Ipv4(real.ip());
    String id = id(inode);
    ServerEntry entry = new ServerEntry(
        id, app.id(), app.name(), transport, virtual, Endpoints.of(hostIp, real.port()), app.labels(), node.name(), node.cluster());
    SocketEntry socket = new SocketEntry(id, node.name(), app.id(), inode, transport, 0, virtual, Math.max(backlog, 0));
    store.publish(entry, socket);
    log.info("[mesh] app {} serves {} {} at {}", appId, transport.display(), entry.serviceAddr(), entry.hostAddr());
  }

  @Override
  public void withdrawn(String appId, long inode) {
    AppId appKey = new AppId(appId);
    Optional<Inet4Endpoint> loopback = loopbacks.withdraw(appKey, inode);
    if (loopback.isPresent()) {
      leases.release(appKey, loopback.get().port());
      return;
    }
    String id = id(inode);
    ServerEntry entry = store.current().servers().get(id);
    if (entry != null) {
      leases.release(appKey, entry.hostAddr().port());
    }
    store.withdraw(id, id);
  }

  /** Entries and sockets are named by node and inode: unique on a node, stable across restarts. */
  private String id(long inode) {
    return node.name() + "/" + inode;
  }

  @Override
  public ConnectDecision connect(String appId, Transport transport, Inet4Endpoint destination) {
    DataplaneState s = store.current();
    AppId clientId = new AppId(appId);
    App client = s.apps().get(clientId);
    if (client == null) {
      return new ConnectDecision.Refuse(Errno.EACCES, "app " + appId + " is not registered");
    }
    if (destination.isLoopback()) {
      return loopbacks.find(clientId, transport, destination)
          .<ConnectDecision>map(own -> new ConnectDecision.Targets("loopback of app " + appId, List.of(own)))
          .orElseGet(() -> new ConnectDecision.Refuse(
              Errno.ECONNREFUSED, "app " + appId + " serves nothing at " + transport.display() + " " + destination, ConnectDecision.Refuse.Cause.NO_BACKEND));
    }
    ConnectDecision d = ConnectDecider.decide(s, client, transport, destination, lb, node.locality());
    if (d instanceof ConnectDecision.Direct && meshAddresses.held(destination.ip())) {
      // Fail closed: a mesh address that nothing serves at this port is no way to the outside.
      d = new ConnectDecision.Refuse(Errno.ECONNREFUSED, "nothing in the mesh serves " + transport.display() + " " + destination, ConnectDecision.Refuse.Cause.NO_BACKEND);
    }
    if (d instanceof ConnectDecision.Direct && outbound == OutboundPolicy.REGISTRY_ONLY && !isNodeDns(destination) && !servesAtHost(s, transport, destination)) {
      // Before the egress gateway: REGISTRY_ONLY means nothing unknown leaves, by any way out.
      d = new ConnectDecision.Refuse(Errno.ECONNREFUSED,
          transport.display() + " " + destination + " is outside the mesh and the outbound traffic policy is REGISTRY_ONLY", ConnectDecision.Refuse.Cause.OUTSIDE);
    }
    if (d instanceof ConnectDecision.Direct && transport == Transport.TCP) {
      Optional<Inet4Endpoint> gateway = egress.gateway(destination);
      if (gateway.isPresent()) {
        d = new ConnectDecision.ViaGateway(gateway.get(), destination);
      }
    }
    if (d instanceof ConnectDecision.Refuse refuse) {
      log.debug("[mesh] refused {} -> {}: {}", appId, destination, refuse.reason());
    }
    return d;
  }

  /** An app's real address (rule 3, which the label ACL admitted): part of the mesh, not outside it. */
  private static boolean servesAtHost(DataplaneState s, Transport transport, Inet4Endpoint destination) {
    return s.serversAtHost(destination).stream().anyMatch(e -> e.protocol() == transport);
  }

  /**
   * The node's DNS server (NODE-IP:53, UDP and TCP), which {@code ax run --dns-override} points
   * apps at: part of the mesh even though no app serves it.
   */
  private boolean isNodeDns(Inet4Endpoint destination) {
    return destination.port() == 53 && node.ip().equals(new Ipv4(destination.ip()));
  }

  /**
   * What the bridge must tell this policy after each connect, for outlier detection: give it to
   * the bridge as (part of) its observer.
   */
  public io.ax.bridge.BridgeObserver outlierFeed() {
    return new OutlierFeed(store::current, lb.outliers());
  }

  /** Backends ejected by outlier detection since start, for metrics. */
  public long ejections() {
    return lb.outliers().ejections();
  }

  @Override
  public void connectingViaGateway(String appId, Inet4Endpoint local, Inet4Endpoint gateway, Inet4Endpoint destination) {
    egress.announce(local, gateway, destination);
  }
}
