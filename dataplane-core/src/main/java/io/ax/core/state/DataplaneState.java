package io.ax.core.state;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.PortMapping;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One immutable snapshot of everything the daemon decides from: apps, the service table,
 * sockets and vservices, with the indexes the connect decision reads. Readers take a snapshot
 * and never lock; writers build the next one ({@code with...}) and swap it in
 * {@link DataplaneStore}.
 *
 * <p>Maps are sorted by key so that listings, persisted files and round-robin orders are stable.
 * A change copies only the map it touches and rebuilds only that map's index; the others are
 * shared with the previous snapshot (which is also how watchers skip unchanged kinds cheaply).
 */
public final class DataplaneState {
  public static final DataplaneState EMPTY = of(List.of(), List.of(), List.of(), List.of());

  private final long version;
  private final Map<AppId, App> apps;
  private final Map<String, ServerEntry> servers;
  private final Map<String, SocketEntry> sockets;
  private final Map<String, VService> vservices;
  // Derived indexes for the connect decision.
  private final Map<Inet4Endpoint, List<ServerEntry>> serversByServiceAddr;
  private final Map<Inet4Endpoint, VService> vserviceByFrontend;
  private final Map<Inet4Endpoint, List<ServerEntry>> serversByHostAddr;

  private DataplaneState(
      long version,
      Map<AppId, App> apps,
      Map<String, ServerEntry> servers,
      Map<String, SocketEntry> sockets,
      Map<String, VService> vservices,
      Map<Inet4Endpoint, List<ServerEntry>> serversByServiceAddr,
      Map<Inet4Endpoint, VService> vserviceByFrontend,
      Map<Inet4Endpoint, List<ServerEntry>> serversByHostAddr) {
    this.version = version;
    this.apps = apps;
    this.servers = servers;
    this.sockets = sockets;
    this.vservices = vservices;
    this.serversByServiceAddr = serversByServiceAddr;
    this.vserviceByFrontend = vserviceByFrontend;
    this.serversByHostAddr = serversByHostAddr;
  }

  /** A state holding exactly these resources, as read back from disk. */
  public static DataplaneState of(
      Collection<App> apps, Collection<ServerEntry> servers, Collection<SocketEntry> sockets, Collection<VService> vservices) {
    Map<String, ServerEntry> serverMap = index(servers, ServerEntry::id);
    Map<String, VService> vserviceMap = index(vservices, VService::name);
    return new DataplaneState(
        0,
        index(apps, App::id),
        serverMap,
        index(sockets, SocketEntry::id),
        vserviceMap,
        serverIndex(serverMap, ServerEntry::serviceAddr),
        frontendIndex(vserviceMap),
        serverIndex(serverMap, ServerEntry::hostAddr));
  }

  /** Increases by one on every change. */
  public long version() {
    return version;
  }

  public Map<AppId, App> apps() {
    return apps;
  }

  public Map<String, ServerEntry> servers() {
    return servers;
  }

  public Map<String, SocketEntry> sockets() {
    return sockets;
  }

  public Map<String, VService> vservices() {
    return vservices;
  }

  /** Service table entries whose service address is {@code addr}, sorted by id. */
  public List<ServerEntry> serversAt(Inet4Endpoint addr) {
    return serversByServiceAddr.getOrDefault(addr, List.of());
  }

  /** Service table entries whose real (host) address is {@code addr}. */
  public List<ServerEntry> serversAtHost(Inet4Endpoint addr) {
    return serversByHostAddr.getOrDefault(addr, List.of());
  }

  /** The vservice whose vIP:vport is {@code addr}. */
  public Optional<VService> vserviceAt(Inet4Endpoint addr) {
    return Optional.ofNullable(vserviceByFrontend.get(addr));
  }

  // ---- builders: each returns the next snapshot ----

  public DataplaneState withVService(VService vs) {
    return withVServices(put(vservices, vs.name(), vs));
  }

  public DataplaneState withoutVService(String name) {
    return withVServices(remove(vservices, name));
  }

  public DataplaneState withApp(App app) {
    return new DataplaneState(version + 1, put(apps, app.id(), app), servers, sockets, vservices, serversByServiceAddr, vserviceByFrontend, serversByHostAddr);
  }

  /**
   * Removes an app with its service table entries and sockets: those of its node only, since app
   * ids are picked per node and another node's entries may name the same id.
   */
  public DataplaneState withoutApp(AppId id) {
    App app = apps.get(id);
    String node = app == null ? null : app.nodeId();
    SortedMap<String, ServerEntry> nextServers = new TreeMap<>(servers);
    nextServers.values().removeIf(e -> e.appId().equals(id) && (node == null || e.nodeId().equals(node)));
    SortedMap<String, SocketEntry> nextSockets = new TreeMap<>(sockets);
    nextSockets.values().removeIf(s -> s.appId().equals(id) && (node == null || s.nodeId().equals(node)));
    Map<String, ServerEntry> frozenServers = Collections.unmodifiableSortedMap(nextServers);
    return new DataplaneState(
        version + 1,
        remove(apps, id),
        frozenServers,
        Collections.unmodifiableSortedMap(nextSockets),
        vservices,
        serverIndex(frozenServers, ServerEntry::serviceAddr),
        vserviceByFrontend,
        serverIndex(frozenServers, ServerEntry::hostAddr));
  }

  public DataplaneState withServer(ServerEntry entry) {
    return withServers(put(servers, entry.id(), entry));
  }

  public DataplaneState withoutServer(String id) {
    return withServers(remove(servers, id));
  }

  public DataplaneState withSocket(SocketEntry socket) {
    return new DataplaneState(version + 1, apps, servers, put(sockets, socket.id(), socket), vservices, serversByServiceAddr, vserviceByFrontend, serversByHostAddr);
  }

  public DataplaneState withoutSocket(String id) {
    return new DataplaneState(version + 1, apps, servers, remove(sockets, id), vservices, serversByServiceAddr, vserviceByFrontend, serversByHostAddr);
  }

  /**
   * The state with exactly these vservices, as one change; {@code next} must be sorted by name
   * (the store's maps are) and is not copied. Rebuilding the frontend index is O(vservices).
   */
  public DataplaneState withVServices(Map<String, VService> next) {
    return new DataplaneState(version + 1, apps, servers, sockets, next, serversByServiceAddr, frontendIndex(next), serversByHostAddr);
  }

  private DataplaneState withServers(Map<String, ServerEntry> next) {
    return new DataplaneState(
        version + 1, apps, next, sockets, vservices, serverIndex(next, ServerEntry::serviceAddr), vserviceByFrontend, serverIndex(next, ServerEntry::hostAddr));
  }

  /**
   * The state with {@code nodeId}'s apps, servers and sockets replaced by these, and every other
   * node's untouched: how a peer's snapshot arrives, and (with empty lists) how a dead node's
   * entries go. The given entries must all belong to {@code nodeId}.
   */
  public DataplaneState withNodeEntries(String nodeId, Collection<App> nodeApps, Collection<ServerEntry> nodeServers, Collection<SocketEntry> nodeSockets) {
    SortedMap<AppId, App> a = new TreeMap<>(apps);
    a.values().removeIf(x -> x.nodeId().equals(nodeId));
    SortedMap<String, ServerEntry> sv = new TreeMap<>(servers);
    sv.values().removeIf(x -> x.nodeId().equals(nodeId));
    SortedMap<String, SocketEntry> so = new TreeMap<>(sockets);
    so.values().removeIf(x -> x.nodeId().equals(nodeId));
    nodeApps.forEach(x -> a.put(x.id(), x));
    nodeServers.forEach(x -> sv.put(x.id(), x));
    nodeSockets.forEach(x -> so.put(x.id(), x));
    return withEntries(a, sv, so);
  }

  /** The state with these entries added or replaced and the named ones removed, as one change. */
  public DataplaneState withEntryChanges(
      Collection<App> putApps, Collection<ServerEntry> putServers, Collection<SocketEntry> putSockets,
      Collection<AppId> removedApps, Collection<String> removedServers, Collection<String> removedSockets) {
    SortedMap<AppId, App> a = new TreeMap<>(apps);
    removedApps.forEach(a::remove);
    putApps.forEach(x -> a.put(x.id(), x));
    SortedMap<String, ServerEntry> sv = new TreeMap<>(servers);
    removedServers.forEach(sv::remove);
    putServers.forEach(x -> sv.put(x.id(), x));
    SortedMap<String, SocketEntry> so = new TreeMap<>(sockets);
    removedSockets.forEach(so::remove);
    putSockets.forEach(x -> so.put(x.id(), x));
    return withEntries(a, sv, so);
  }

  private DataplaneState withEntries(SortedMap<AppId, App> a, SortedMap<String, ServerEntry> sv, SortedMap<String, SocketEntry> so) {
    Map<String, ServerEntry> frozenServers = Collections.unmodifiableSortedMap(sv);
    return new DataplaneState(
        version + 1,
        Collections.unmodifiableSortedMap(a),
        frozenServers,
        Collections.unmodifiableSortedMap(so),
        vservices,
        serverIndex(frozenServers, ServerEntry::serviceAddr),
        vserviceByFrontend,
        serverIndex(frozenServers, ServerEntry::hostAddr));
  }

  // ---- helpers ----

  private static <K extends Comparable<K>, V> Map<K, V> put(Map<K, V> m, K key, V value) {
    SortedMap<K, V> next = new TreeMap<>(m);
    next.put(key, value);
    return Collections.unmodifiableSortedMap(next);
  }

  private static <K extends Comparable<K>, V> Map<K, V> remove(Map<K, V> m, K key) {
    SortedMap<K, V> next = new TreeMap<>(m);
    next.remove(key);
    return Collections.unmodifiableSortedMap(next);
  }

  private static <K extends Comparable<K>, V> Map<K, V> index(Collection<V> values, Function<V, K> key) {
    SortedMap<K, V> m = new TreeMap<>();
    for (V v : values) {
      if (m.put(key.apply(v), v) != null) {
        throw new IllegalArgumentException("duplicate id " + key.apply(v));
      }
    }
    return Collections.unmodifiableSortedMap(m);
  }

  private static Map<Inet4Endpoint, List<ServerEntry>> serverIndex(Map<String, ServerEntry> servers, Function<ServerEntry, Inet4Endpoint> address) {
    Map<Inet4Endpoint, List<ServerEntry>> byAddr = new HashMap<>();
    for (ServerEntry e : servers.values()) {
      byAddr.computeIfAbsent(address.apply(e), k -> new ArrayList<>()).add(e);
    }
    byAddr.replaceAll((k, v) -> List.copyOf(v));
    return Map.copyOf(byAddr);
  }

  /**
   * @throws IllegalStateException when two vservices serve one vIP:vport: a connect must have one
   *     answer, and the store's writers refuse such a change before it gets here
   */
  private static Map<Inet4Endpoint, VService> frontendIndex(Map<String, VService> vservices) {
    Map<Inet4Endpoint, VService> byFrontend = new HashMap<>();
    for (VService vs : vservices.values()) {
      for (PortMapping p : vs.ports()) {
        VService other = byFrontend.putIfAbsent(Endpoints.of(vs.ip(), p.vport()), vs);
        if (other != null && other != vs) {
          throw new IllegalStateException(
              "vservices '" + other.name() + "' and '" + vs.name() + "' both serve " + vs.ip() + ":" + p.vport() + ": a vIP:vport has one vservice");
        }
      }
    }
    return Map.copyOf(byFrontend);
  }
}
