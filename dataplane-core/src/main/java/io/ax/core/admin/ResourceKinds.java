package io.ax.core.admin;

import io.ax.admin.v1.AppEvent;
import io.ax.admin.v1.EventType;
import io.ax.admin.v1.NodeEvent;
import io.ax.admin.v1.ProxyEvent;
import io.ax.admin.v1.ServerEvent;
import io.ax.admin.v1.SocketEvent;
import io.ax.admin.v1.VServiceEvent;
import io.ax.core.model.App;
import io.ax.core.model.NodeInfo;
import io.ax.core.model.ProxyInfo;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.model.VService;
import io.ax.core.proto.Protos;
import io.ax.core.state.DataplaneState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The six resource kinds of the admin API, bound to where the daemon keeps them. Immutable once
 * built; every read goes to one snapshot of the store, so any thread may call it.
 */
final class ResourceKinds {
  final ResourceKind<App, AppEvent> apps;
  final ResourceKind<ServerEntry, ServerEvent> servers;
  final ResourceKind<SocketEntry, SocketEvent> sockets;
  final ResourceKind<VService, VServiceEvent> vservices;
  final ResourceKind<NodeInfo, NodeEvent> nodes;
  final ResourceKind<ProxyInfo, ProxyEvent> proxies;

  /**
   * @param nodes the nodes as seen from a snapshot (their app counts come from it)
   * @param proxies the proxies the daemon runs
   */
  ResourceKinds(Function<DataplaneState, Map<String, NodeInfo>> nodes, Function<DataplaneState, Map<String, ProxyInfo>> proxies) {
    this.apps = new ResourceKind<>(
        "apps",
        s -> byString(s.apps()),
        (t, a) -> AppEvent.newBuilder().setType(t).setApp(Protos.app(a)).build(),
        AppEvent.newBuilder().setType(EventType.SYNCED).build());
    this.servers = new ResourceKind<>(
        "servers",
        DataplaneState::servers,
        (t, e) -> ServerEvent.newBuilder().setType(t).setServer(Protos.server(e)).build(),
        ServerEvent.newBuilder().setType(EventType.SYNCED).build());
    this.sockets = new ResourceKind<>(
        "sockets",
        DataplaneState::sockets,
        (t, e) -> SocketEvent.newBuilder().setType(t).setSocket(Protos.socket(e)).build(),
        SocketEvent.newBuilder().setType(EventType.SYNCED).build());
    this.vservices = new ResourceKind<>(
        "vservices",
        DataplaneState::vservices,
        (t, v) -> VServiceEvent.newBuilder().setType(t).setVservice(Protos.vservice(v)).build(),
        VServiceEvent.newBuilder().setType(EventType.SYNCED).build());
    this.nodes = new ResourceKind<>(
        "nodes",
        nodes,
        (t, n) -> NodeEvent.newBuilder().setType(t).setNode(Protos.node(n)).build(),
        NodeEvent.newBuilder().setType(EventType.SYNCED).build());
    this.proxies = new ResourceKind<>(
        "proxies",
        proxies,
        (t, p) -> ProxyEvent.newBuilder().setType(t).setProxy(Protos.proxy(p)).build(),
        ProxyEvent.newBuilder().setType(EventType.SYNCED).build());
  }

  private static <K, V> Map<String, V> byString(Map<K, V> m) {
    Map<String, V> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k.toString(), v));
    return out;
  }
}
