package io.ax.core.federation;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.model.ProxyInfo;
import io.ax.core.model.ServerEntry;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.proxy.Route;
import io.ax.core.proxy.TcpProxies;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The other clusters' services in this cluster's table: the egress federation gateway service.
 * For each remote service address this gateway listens on NODE-IP and an ephemeral port, and puts
 * a service table entry there, owned by this node and carrying the remote cluster's name and the
 * servers' labels. Every node of the cluster has the entry by replication, so a client anywhere
 * connects to the remote address as to a local service: its node's connect decision (label ACL,
 * balancing with local servers of the same address, failover) picks this listener as it would
 * any backend, and the listener carries the connection to a gateway of the remote cluster with a
 * PROXY header naming the address.
 *
 * <p>Imported entries are this node's apps with the {@link #DRIVER} driver and no process: one
 * per remote (cluster, name, IP), so that names resolve in the cluster's DNS. When the remote
 * cluster's last gateway leaves the federation, or this gateway stops, they go: a connect then
 * fails at once with ECONNREFUSED (the address is known to the mesh) or goes to a local server.
 *
 * <p>{@link #apply} runs on one thread (the gateway's worker); the routes read volatile fields.
 */
final class Imports implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Imports.class);
  /** The driver of an imported app, as {@code ax get apps} shows it. */
  static final String DRIVER = "federation";

  private record Key(String cluster, Inet4Endpoint address) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = cluster.compareTo(o.cluster);
      return c != 0 ? c : address.compareTo(o.address);
    }

    String id() {
      return cluster + "/" + address;
    }
  }

  private record Running(Key key, TcpProxies.Listener listener) {}

  private final DataplaneStore store;
  private final String node;
  private final Ipv4 nodeIp;
  private final TcpProxies proxies;
  private final java.util.function.IntPredicate clusterNode;
  /** Worker thread only. */
  private final Map<Key, Running> running = new TreeMap<>();
  /** The remote clusters' gateways, read by the listeners' routes. */
  private volatile Map<String, List<Inet4Endpoint>> gateways = Map.of();
  private volatile Set<Inet4Endpoint> listening = Set.of();
  private volatile List<Running> snapshot = List.of();
  private final AtomicInteger spread = new AtomicInteger();

  /**
   * @param clusterNode whether an IP is a node of this cluster: another cluster may not offer a
   *     service there, since connects to this cluster's own nodes must never leave it
   */
  Imports(DataplaneStore store, String node, Ipv4 nodeIp, TcpProxies proxies, java.util.function.IntPredicate clusterNode) {
    this.store = Objects.requireNonNull(store, "store");
    this.node = Objects.requireNonNull(node, "node");
    this.nodeIp = Objects.requireNonNull(nodeIp, "nodeIp");
    this.proxies = Objects.requireNonNull(proxies, "proxies");
    this.clusterNode = Objects.requireNonNull(clusterNode, "clusterNode");
  }

  /** Removes what a previous run of this node imported (saved in its state file): it is learned again. */
  static void forgetSaved(DataplaneStore store, String node) {
    List<AppId> saved = store.current().apps().values().stream().filter(a -> a.nodeId().equals(node) && a.driver().equals(DRIVER)).map(App::id).toList();
    if (!saved.isEmpty()) {
      store.commit(s -> {
        DataplaneState next = s;
        for (AppId id : saved) {
          next = next.withoutApp(id);
        }
        return next;
      });
    }
  }

  /** Makes the listeners and the table match {@code remote}. */
  void apply(Map<String, RemoteCluster> remote) {
    Map<String, List<Inet4Endpoint>> nextGateways = new TreeMap<>();
    Map<Key, ExportedService> wanted = new TreeMap<>();
    Set<Key> refusedNow = new HashSet<>();
    remote.forEach((name, c) -> {
      nextGateways.put(name, c.gateways());
      for (ExportedService x : c.services()) {
        if (clusterNode.test(x.address().ip())) {
          refusedNow.add(new Key(name, x.address()));
          refusedOnce(name, x);
        } else {
          wanted.put(new Key(name, x.address()), x);
        }
      }
    });
    gateways = nextGateways;
    refused.retainAll(refusedNow);

    List<Running> closing = new ArrayList<>();
    running.entrySet().removeIf(e -> {
      if (!wanted.containsKey(e.getKey())) {
        closing.add(e.getValue());
        return true;
      }
      return false;
    });
    for (Key k : wanted.keySet()) {
      if (running.containsKey(k)) {
        continue;
      }
      try {
        TcpProxies.Listener l = proxies.listen(Endpoints.of(nodeIp, 0), route(k.cluster()), k.address());
        running.put(k, new Running(k, l));
        log.info("[federation] {} of cluster {} is reached through {}", k.address(), k.cluster(), l.address());
      } catch (TcpProxies.BindFailedException e) {
        log.warn("[federation] cannot import {}: {}; tried again at the next change", k.id(), e.getMessage());
      }
    }
    snapshot = List.copyOf(running.values());
    listening = running.values().stream().map(r -> r.listener().address()).collect(java.util.stream.Collectors.toUnmodifiableSet());
    writeTable(wanted);
    // Closed after the entries that named them are gone, so no new client is sent there.
    for (Running r : closing) {
      r.listener().close();
      log.info("[federation] {} is no longer imported", r.key().id());
    }
  }

  /** Offers refused (at node addresses): warned of once, and again only after they stopped and came back. Worker thread only. */
  private final Set<Key> refused = new HashSet<>();

  private void refusedOnce(String cluster, ExportedService x) {
    if (refused.add(new Key(cluster, x.address()))) {
      log.warn("[federation] cluster {} offers {} at {}, an address of this cluster's nodes: not imported", cluster, x.name(), x.address());
    }
  }

  /** Where an imported address's listener sends a client: a live gateway of its cluster, spread over them. */
  private Route route(String cluster) {
    return Route.now(client -> {
      List<Inet4Endpoint> gws = gateways.getOrDefault(cluster, List.of());
      if (gws.isEmpty()) {
        return new ConnectDecision.Refuse(Errno.ECONNREFUSED, "no gateway of cluster " + cluster + " is in the federation");
      }
      int first = Math.floorMod(spread.getAndIncrement(), gws.size());
      List<Inet4Endpoint> order = new ArrayList<>(gws.size());
      for (int i = 0; i < gws.size(); i++) {
        order.add(gws.get((first + i) % gws.size()));
      }
      return new ConnectDecision.Targets("federation/" + cluster, order);
    });
  }

  /** The imported apps and entries this node owns, replaced in one commit when they differ. */
  private void writeTable(Map<Key, ExportedService> wanted) {
    Map<AppId, App> apps = new LinkedHashMap<>();
    Map<String, ServerEntry> servers = new LinkedHashMap<>();
    Set<AppId> taken = new HashSet<>();
    DataplaneState now = store.current();
    Map<String, AppId> appOf = new TreeMap<>();
    for (Map.Entry<Key, ExportedService> w : wanted.entrySet()) {
      Running r = running.get(w.getKey());
      if (r == null) {
        continue;
      }
      ExportedService x = w.getValue();
      List<Labels> sets = x.labelSets();
      String appKey = w.getKey().cluster() + "|" + x.name() + "|" + new Ipv4(x.address().ip());
      AppId id = appOf.computeIfAbsent(appKey, k -> idFor(k, now, taken));
      apps.putIfAbsent(id, new App(id, x.name(), node, w.getKey().cluster(), new Ipv4(x.address().ip()), DRIVER, sets.getFirst(), 0, List.of(), 0));
      for (int i = 0; i < sets.size(); i++) {
        String sid = "fed-" + id + "-" + x.address().port() + (i == 0 ? "" : "-" + i);
        servers.put(sid, new ServerEntry(sid, id, x.name(), Transport.TCP, x.address(), r.listener().address(), sets.get(i), node, w.getKey().cluster()));
      }
    }
    store.commit(s -> {
      List<AppId> goneApps = new ArrayList<>();
      List<String> goneServers = new ArrayList<>();
      boolean same = true;
      for (App a : s.apps().values()) {
        if (a.nodeId().equals(node) && a.driver().equals(DRIVER)) {
          if (!a.equals(apps.get(a.id()))) {
            goneApps.add(a.id());
            same = false;
          }
        }
      }
      for (ServerEntry e : s.servers().values()) {
        if (e.nodeId().equals(node) && e.id().startsWith("fed-") && !e.equals(servers.get(e.id()))) {
          goneServers.add(e.id());
          same = false;
        }
      }
      same = same && apps.keySet().stream().allMatch(id -> apps.get(id).equals(s.apps().get(id)))
          && servers.keySet().stream().allMatch(id -> servers.get(id).equals(s.servers().get(id)));
      if (same) {
        return s;
      }
      goneApps.removeIf(apps::containsKey); // replaced below, with their entries
      return s.withEntryChanges(apps.values(), servers.values(), List.of(), goneApps, goneServers, List.of());
    });
  }

  /**
   * A stable id for an imported app of this node: the same after a restart and on every change,
   * distinct between this cluster's gateways (each imports the same services), and never one
   * that another app holds.
   */
  private AppId idFor(String key, DataplaneState s, Set<AppId> taken) {
    byte[] h;
    try {
      h = MessageDigest.getInstance("SHA-256").digest((node + "|" + key).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
    int v = ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
    while (true) {
      AppId id = new AppId(java.util.HexFormat.of().toHexDigits(v));
      App there = s.apps().get(id);
      if (!taken.contains(id) && (there == null || (there.nodeId().equals(node) && there.driver().equals(DRIVER)))) {
        taken.add(id);
        return id;
      }
      v++;
    }
  }

  /** The addresses of this node's import listeners: an ingress never sends a connection back out through one. */
  Set<Inet4Endpoint> listening() {
    return listening;
  }

  /** The import listeners, with the gateways they dial. */
  Map<String, ProxyInfo> proxies() {
    Map<String, ProxyInfo> out = new LinkedHashMap<>();
    Map<String, List<Inet4Endpoint>> gws = gateways;
    for (Running r : snapshot) {
      out.put(r.key().id(), new ProxyInfo(r.key().id(), Transport.TCP, r.listener().address(), gws.getOrDefault(r.key().cluster(), List.of())));
    }
    return out;
  }

  /** Stops the listeners and takes the imported entries out of the table. */
  @Override
  public void close() {
    for (Running r : running.values()) {
      r.listener().close();
    }
    running.clear();
    snapshot = List.of();
    try {
      forgetSaved(store, node);
    } catch (RuntimeException e) {
      log.warn("[federation] could not remove the imported services from the table: {}", e.getMessage());
    }
  }
}
