package io.ax.core.decision;

import io.ax.core.net.HostPort;
import java.util.Objects;
import java.util.Optional;

/**
 * One place a connect may go: the real address to dial and, for a service table entry, its id
 * (empty for an external backend).
 */
public record Target(HostPort address, Optional<String> serverId) {
  public Target {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(serverId, "serverId");
  }

  public static Target server(HostPort hostAddr, String serverId) {
    return new Target(hostAddr, Optional.of(serverId));
  }

  public static Target external(HostPort address) {
    return new Target(address, Optional.empty());
  }
}
