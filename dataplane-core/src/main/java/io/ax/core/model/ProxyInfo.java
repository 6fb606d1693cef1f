package io.ax.core.model;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import java.util.List;
import java.util.Objects;

/** A proxy the daemon runs (federation gateways, external vservices): where it listens and dials. */
public record ProxyInfo(String id, Transport protocol, Inet4Endpoint listener, List<Inet4Endpoint> dialers) {
  public ProxyInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(listener, "listener");
    dialers = List.copyOf(dialers);
  }
}
