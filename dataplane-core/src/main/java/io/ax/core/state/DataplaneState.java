package io.ax.core.state;

import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.PortMapping;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.model.VService;
import io.ax.core.net.HostPort;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One immutable snapshot of everything the daemon decides from: apps, the service table,
 * sockets and vservices, with the indexes the connect decision reads. Readers take a snapshot
 * and never lock; writers build a new one ({@code with...}) and swap it in {@link DataplaneStore}.
 *
 * <p>Maps are sorted by key so that listings, persisted files and round-robin orders are stable.
 */
public final class DataplaneState {
  public static final DataplaneState EMPTY = new DataplaneState(0, Map.of(), Map.of(), Map.of(), Map.of());

  private final long version;
  private final Map<AppId, App> apps;
  private final Map<String, ServerEntry> servers;
  private final Map<String, SocketEntry> sockets;
  private final Map<String, VService> vservices;
  // Derived indexes for the connect decision.
  private final Map<HostPort, List<ServerEntry>> serversByServiceAddr;
  private final Map<HostPort, VService> vserviceByFrontend;

  private DataplaneState(
      long version, Map<AppId, App> apps, Map<String, ServerEntry> servers, Map<String, SocketEntry> sockets, Map<String, VService> vservices) {
    this.version = version;
    this.apps = sortedCopy(apps);
    this.servers = sortedCopy(servers);
    this.sockets = sortedCopy(sockets);
    this.vservices = sortedCopy(vservices);
    Map<HostPort, List<ServerEntry>> byAddr = new HashMap<>();
    for (ServerEntry e : this.servers.values()) {
      byAddr.computeIfAbsent(e.serviceAddr(), k -> new ArrayList<>()).add(e);
    }
    byAddr.replaceAll((k, v) -> List.copyOf(v));
    this.serversByServiceAddr = Map.copyOf(byAddr);
    Map<HostPort, VService> byFrontend = new HashMap<>();
    for (VService vs : this.vservices.values()) {
      for (PortMapping p : vs.ports()) {
        byFrontend.put(new HostPort(vs.ip(), p.vport()), vs);
      }
    }
    this.vserviceByFrontend = Map.copyOf(byFrontend);
  }

  private static <K extends Comparable<K>, V> Map<K, V> sortedCopy(Map<K, V> m) {
    return java.util.Collections.unmodifiableMap(new TreeMap<>(m));
  }

  /** Increases by one on every change; 0 is the empty state. */
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
  public List<ServerEntry> serversAt(HostPort addr) {
    return serversByServiceAddr.getOrDefault(addr, List.of());
  }

  /** The vservice whose vIP:vport is {@code addr}. */
  public Optional<VService> vserviceAt(HostPort addr) {
    return Optional.ofNullable(vserviceByFrontend.get(addr));
  }

  // ---- builders: each returns the next snapshot ----

  public DataplaneState withVService(VService vs) {
    Map<String, VService> next = new HashMap<>(vservices);
    next.put(vs.name(), vs);
    return new DataplaneState(version + 1, apps, servers, sockets, next);
  }

  public DataplaneState withoutVService(String name) {
    Map<String, VService> next = new HashMap<>(vservices);
    next.remove(name);
    return new DataplaneState(version + 1, apps, servers, sockets, next);
  }

  public DataplaneState withApp(App app) {
    Map<AppId, App> next = new HashMap<>(apps);
    next.put(app.id(), app);
    return new DataplaneState(version + 1, next, servers, sockets, vservices);
  }

  /** Removes an app with its service table entries and sockets. */
  public DataplaneState withoutApp(AppId id) {
    Map<AppId, App> nextApps = new HashMap<>(apps);
    nextApps.remove(id);
    Map<String, ServerEntry> nextServers = new HashMap<>(servers);
    nextServers.values().removeIf(e -> e.appId().equals(id));
    Map<String, SocketEntry> nextSockets = new HashMap<>(sockets);
    nextSockets.values().removeIf(s -> s.appId().equals(id));
    return new DataplaneState(version + 1, nextApps, nextServers, nextSockets, vservices);
  }

  public DataplaneState withServer(ServerEntry entry) {
    Map<String, ServerEntry> next = new HashMap<>(servers);
    next.put(entry.id(), entry);
    return new DataplaneState(version + 1, apps, next, sockets, vservices);
  }

  public DataplaneState withoutServer(String id) {
    Map<String, ServerEntry> next = new HashMap<>(servers);
    next.remove(id);
    return new DataplaneState(version + 1, apps, next, sockets, vservices);
  }

  public DataplaneState withSocket(SocketEntry socket) {
    Map<String, SocketEntry> next = new HashMap<>(sockets);
    next.put(socket.id(), socket);
    return new DataplaneState(version + 1, apps, servers, next, vservices);
  }

  public DataplaneState withoutSocket(String id) {
    Map<String, SocketEntry> next = new HashMap<>(sockets);
    next.remove(id);
    return new DataplaneState(version + 1, apps, servers, next, vservices);
  }

  /** A state holding exactly these resources, as read back from disk. */
  public static DataplaneState of(Collection<App> apps, Collection<ServerEntry> servers, Collection<SocketEntry> sockets, Collection<VService> vservices) {
    return new DataplaneState(
        1,
        index(apps, App::id),
        index(servers, ServerEntry::id),
        index(sockets, SocketEntry::id),
        index(vservices, VService::name));
  }

  private static <K, V> Map<K, V> index(Collection<V> values, java.util.function.Function<V, K> key) {
    Map<K, V> m = new HashMap<>();
    for (V v : values) {
      if (m.put(key.apply(v), v) != null) {
        throw new IllegalArgumentException("duplicate id " + key.apply(v));
      }
    }
    return m;
  }
}
