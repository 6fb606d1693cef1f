package io.ax.core.model;

import io.ax.core.net.HostPort;
import java.util.Objects;

/** A socket the daemon created for an app, keyed by the kernel's inode (fd numbers are reused). */
public record SocketEntry(String id, String nodeId, AppId appId, long inode, Protocol protocol, int flags, HostPort bind, int backlog) {
  public SocketEntry {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(bind, "bind");
  }
}
