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
import io.ax.core.model.Labels;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.ports.PortPool;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's answers to the syscall bridge: apps become {@link App}s, binds get ports from the
 * pool (or the {@code --expose} port), listening sockets become service table entries, and every
 * connect is the {@link ConnectDecider}'s decision on the current snapshot. Thread-safe: reads
 * take a snapshot, writes go through the {@link DataplaneStore}.
 */
public final class MeshSocketPolicy implements SocketPolicy {
  private static final Logger log = LoggerFactory.getLogger(MeshSocketPolicy.class);
  private static final int FIRST_UNPRIVILEGED_PORT = 1024;
  /**
   * Where named apps without --ip get their vIP: 100.64.0.0/10, the shared address space of RFC
   * 6598, which hosts rarely use and the internet does not route.
   */
  static final int NAMED_IPS = 0x64400000;
  static final int NAMED_IPS_PREFIX = 10;

  /** This node, as the policy needs it. */
  public record Node(String name, String cluster, Ipv4 ip) {
    public Node {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(ip, "ip");
    }
  }

  private final DataplaneStore store;
  private final PortPool pool;
  private final Node node;
  private final SharedLbState lb;
  private final RandomGenerator random;
  private final Map<String, List<Exposure>> exposures = new ConcurrentHashMap<>();
  private final java.util.Set<AppId> registered = ConcurrentHashMap.newKeySet();
  // Pool ports each app holds, published or not: all go back when the app does. Ports of
  // --expose are not the pool's and never go back to it.
  private final Map<String, java.util.Set<Integer>> poolPorts = new ConcurrentHashMap<>();
  // Each app has a loopback of its own, as it would in its own network namespace: what it
  // serves on 127.0.0.0/8 is reachable by itself only, never published, and host loopback is
  // not reachable at all. Keyed by app, then "transport/virtual ip:port".
  private final Map<String, Map<String, Inet4Endpoint>> loopbacks = new ConcurrentHashMap<>();
  private final Map<Long, LoopbackSocket> loopbackInodes = new ConcurrentHashMap<>();

  private record LoopbackSocket(String appId, String key) {}

  /**
   * @param connections open connections per backend, for least-connections vservices
   */
  public MeshSocketPolicy(DataplaneStore store, PortPool pool, Node node, RandomGenerator random, ConnectionCounts connections) {
    this.store = Objects.requireNonNull(store, "store");
    this.pool = Objects.requireNonNull(pool, "pool");
    this.node = Objects.requireNonNull(node, "node");
    this.random = Objects.requireNonNull(random, "random");
    this.lb = new SharedLbState(connections);
    // The balancers' memory of a deleted vservice goes with it.
    store.addListener((before, after) -> {
      if (before.vservices() != after.vservices()) {
        before.vservices().keySet().stream().filter(name -> !after.vservices().containsKey(name)).forEach(lb::forget);
      }
    });
  }

  /** A policy whose least-connections vservices see no connections. */
  public MeshSocketPolicy(DataplaneStore store, PortPool pool, Node node, RandomGenerator random) {
    this(store, pool, node, random, ConnectionCounts.NONE);
  }

  @Override
  public AppGrant register(Registration r) throws RegistrationRefusedException {
    try {
      Ipv4 ip = !r.ip().isEmpty() ? Ipv4.parse("--ip", r.ip()) : !r.name().isEmpty() ? namedIp(checkName(r.name()), r.appId()) : node.ip();
      Labels labels = Labels.parse("--labels", r.labels());
      List<Exposure> exposed = new ArrayList<>();
      for (String e : r.expose()) {
        for (String item : e.split(",")) {
          Exposure x = Exposure.parse(item, node.ip());
          if (x.hostPort() < FIRST_UNPRIVILEGED_PORT && r.uid() != 0) {
            throw new InvalidFieldException("--expose", "host port " + x.hostPort() + " is privileged (below 1024); only root may expose it");
          }
          exposed.add(x);
        }
      }
      AppId id = chooseId(r.appId());
      App known = store.current().apps().get(id);
      // An app without --name is shown as <uuid>, as AppSwitch did; it keeps it across restarts.
      String name = !r.name().isEmpty() ? checkName(r.name()) : known != null ? known.name() : "<" + java.util.UUID.randomUUID() + ">";
      App app = new App(id, name, node.name(), node.cluster(), ip, "user", labels, r.supervisorPid());
      store.putApp(app);
      exposures.put(id.value(), List.copyOf(exposed));
      registered.add(id);
      log.info("[mesh] app {} '{}' at {} labels '{}' (pid {})", id, name, ip, labels, r.appPid());
      return new AppGrant(id.value(), ip.bits());
    } catch (InvalidFieldException e) {
      throw new RegistrationRefusedException(e.getMessage());
    }
  }

  /**
   * The made-up vIP of an app that has a name and no {@code --ip}: the one it had before (it
   * registers again after a restart), or that of an app with the same name (they are balanced
   * as one), or a new one in {@link #NAMED_IPS} picked from the name's hash. Clients never need
   * to know it: they use the name.
   */
  private Ipv4 namedIp(String name, String appId) {
    DataplaneState s = store.current();
    if (!appId.isEmpty()) {
      App known = s.apps().get(new AppId(appId));
      if (known != null) {
        return known.appIp();
      }
    }
    java.util.Set<Integer> taken = new java.util.HashSet<>();
    for (App a : s.apps().values()) {
      if (a.name().equals(name)) {
        return a.appIp();
      }
      taken.add(a.appIp().bits());
    }
    s.vservices().values().forEach(v -> taken.add(v.ip().bits()));
    int size = 1 << (32 - NAMED_IPS_PREFIX);
    int start = Math.floorMod(name.hashCode(), size - 2) + 1; // not the network or broadcast address
    for (int i = 0; i < size - 2; i++) {
      int candidate = NAMED_IPS + 1 + Math.floorMod(start - 1 + i, size - 2);
      if (!taken.contains(candidate)) {
        return new Ipv4(candidate);
      }
    }
    throw new InvalidFieldException("--name", "no free address left in " + new Ipv4(NAMED_IPS) + "/" + NAMED_IPS_PREFIX + " for '" + name + "'; give it an --ip");
  }

  private static String checkName(String name) {
    if (name.length() > 253 || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_')) {
      throw new InvalidFieldException("--name", "'" + name + "' is not a valid name (expected letters, digits, '-', '_' and '.')");
    }
    return name;
  }

  /** A pool port that a restored entry of {@code appId} holds: it goes back when the app does. */
  public void adoptPoolPort(AppId appId, int port) {
    java.util.Set<Integer> held = poolPorts.computeIfAbsent(appId.value(), k -> new java.util.HashSet<>());
    synchronized (held) {
      held.add(port);
    }
  }

  /** Whether the app registered with this daemon (not only restored from its state file). */
  public boolean registeredSinceStart(AppId id) {
    return registered.contains(id);
  }

  /** The id an app asked to keep (it registers again after a daemon restart), or a new one. */
  private AppId chooseId(String requested) {
    if (!requested.isEmpty()) {
      return new AppId(requested);
    }
    Map<AppId, App> apps = store.current().apps();
    AppId id;
    do {
      id = AppId.random(random);
    } while (apps.containsKey(id));
    return id;
  }

  @Override
  public void unregister(String appId) {
    java.util.Set<Integer> held = poolPorts.remove(appId);
    if (held != null) {
      synchronized (held) {
        held.forEach(pool::release);
      }
    }
    store.removeApp(new AppId(appId));
    exposures.remove(appId);
    loopbacks.remove(appId);
    loopbackInodes.values().removeIf(l -> l.appId().equals(appId));
    registered.remove(new AppId(appId));
  }

  private void releasePoolPort(String appId, int port) {
    java.util.Set<Integer> held = poolPorts.get(appId);
    if (held != null) {
      synchronized (held) {
        if (held.remove(port)) {
          pool.release(port);
        }
      }
    }
  }

  @Override
  public BindDecision bind(String appId, Transport transport, Inet4Endpoint requested) {
    App app = store.current().apps().get(new AppId(appId));
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
    for (Exposure x : exposures.getOrDefault(appId, List.of())) {
      if (x.appPort() == requested.port()) {
        // The operator named this port: a busy one is the kernel's EADDRINUSE for the app.
        return new BindDecision.Real(new Inet4Endpoint(x.nodeIp().map(Ipv4::bits).orElse(0), x.hostPort()), virtual, PortChoice.FIXED);
      }
    }
    OptionalInt port = pool.allocate();
    if (port.isEmpty()) {
      log.warn("[mesh] app {}: every port of --ports {} is in use", appId, pool.ranges());
      return new BindDecision.Refuse(Errno.EADDRINUSE);
    }
    java.util.Set<Integer> held = poolPorts.computeIfAbsent(appId, k -> new java.util.HashSet<>());
    synchronized (held) {
      held.add(port.getAsInt());
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
    releasePoolPort(appId, real.port());
  }

  @Override
  public void busy(String appId, Transport transport, Inet4Endpoint real) {
    java.util.Set<Integer> held = poolPorts.get(appId);
    if (held == null) {
      return;
    }
    synchronized (held) {
      if (!held.remove(real.port())) {
        return; // not a pool port this app holds (an --expose port is never the pool's)
      }
    }
    pool.busy(real.port());
    log.info("[mesh] app {}: pool port {} is taken outside this daemon; skipping it for {} s", appId, real.port(), pool.busyFor().toSeconds());
  }

  @Override
  public void published(String appId, long inode, Transport transport, Inet4Endpoint virtual, Inet4Endpoint real, int backlog) {
    App app = store.current().apps().get(new AppId(appId));
    if (app == null) {
      return;
    }
    if (virtual.isLoopback()) {
      loopbacks.computeIfAbsent(appId, k -> new ConcurrentHashMap<>()).put(loopbackKey(transport, virtual), real);
      loopbackInodes.put(inode, new LoopbackSocket(appId, loopbackKey(transport, virtual)));
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

  private static String loopbackKey(Transport transport, Inet4Endpoint virtual) {
    return transport + "/" + virtual;
  }

  @Override
  public void withdrawn(String appId, long inode) {
    LoopbackSocket loopback = loopbackInodes.remove(inode);
    Map<String, Inet4Endpoint> own = loopbacks.get(appId);
    if (loopback != null && own != null) {
      Inet4Endpoint real = own.remove(loopback.key());
      if (real != null) {
        releasePoolPort(appId, real.port());
      }
      return;
    }
    String id = id(inode);
    ServerEntry entry = store.current().servers().get(id);
    if (entry != null) {
      releasePoolPort(appId, entry.hostAddr().port());
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
    App client = s.apps().get(new AppId(appId));
    if (client == null) {
      return new ConnectDecision.Refuse(Errno.EACCES, "app " + appId + " is not registered");
    }
    if (destination.isLoopback()) {
      Inet4Endpoint own = loopbacks.getOrDefault(appId, Map.of()).get(loopbackKey(transport, destination));
      return own != null
          ? new ConnectDecision.Targets("loopback of app " + appId, List.of(own))
          : new ConnectDecision.Refuse(Errno.ECONNREFUSED, "app " + appId + " serves nothing at " + transport.display() + " " + destination);
    }
    ConnectDecision d = ConnectDecider.decide(s, client, transport, destination, lb);
    if (d instanceof ConnectDecision.Refuse refuse) {
      log.debug("[mesh] refused {} -> {}: {}", appId, destination, refuse.reason());
    }
    return d;
  }
}
