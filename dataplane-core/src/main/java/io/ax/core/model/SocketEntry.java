package io.ax.core.model;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import java.util.Objects;

/** A socket the daemon created for an app, keyed by the kernel's inode (fd numbers are reused). */
public record SocketEntry(String id, String nodeId, AppId appId, long inode, Transport protocol, int flags, Inet4Endpoint bind, int backlog) {
  public SocketEntry {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(bind, "bind");
  }
}
