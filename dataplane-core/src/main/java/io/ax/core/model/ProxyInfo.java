package io.ax.core.model;

import io.ax.core.net.HostPort;
import java.util.List;
import java.util.Objects;

/** A proxy the daemon runs (federation gateways, external vservices): where it listens and dials. */
public record ProxyInfo(String id, Protocol protocol, HostPort listener, List<HostPort> dialers) {
  public ProxyInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(listener, "listener");
    dialers = List.copyOf(dialers);
  }
}
