package io.ax.core.model;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import java.util.Objects;

/**
 * A service table entry: an app listens on {@code serviceAddr} (its virtual app-ip:app-port) and
 * the socket is really bound at {@code hostAddr} (node-ip:pool-port). Owned by the node that
 * created it, so a cluster layer can replicate entries by owner.
 */
public record ServerEntry(
    String id,
    AppId appId,
    String name,
    Transport protocol,
    Inet4Endpoint serviceAddr,
    Inet4Endpoint hostAddr,
    Labels labels,
    String nodeId,
    String cluster) {
  public ServerEntry {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(serviceAddr, "serviceAddr");
    Objects.requireNonNull(hostAddr, "hostAddr");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(cluster, "cluster");
  }
}
