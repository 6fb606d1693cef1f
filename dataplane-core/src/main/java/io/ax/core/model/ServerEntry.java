package io.ax.core.model;

import io.ax.core.net.HostPort;
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
    Protocol protocol,
    HostPort serviceAddr,
    HostPort hostAddr,
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
