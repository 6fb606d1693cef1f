package io.ax.core.mesh;

import io.ax.bridge.net.Inet4Endpoint;
import java.util.Optional;

/**
 * Where connects to destinations outside the mesh go when the cluster has an egress gateway
 * ({@code ax daemon --egress-gateway} on one of its nodes): through it, transparently.
 */
public interface EgressRoutes {
  /** No gateway: outside destinations are connected directly. */
  EgressRoutes NONE = new EgressRoutes() {
    @Override
    public Optional<Inet4Endpoint> gateway(Inet4Endpoint destination) {
      return Optional.empty();
    }

    @Override
    public void announce(Inet4Endpoint local, Inet4Endpoint gateway, Inet4Endpoint destination) {}
  };

  /** The gateway's listener for a connect to {@code destination}, or empty to connect directly. */
  Optional<Inet4Endpoint> gateway(Inet4Endpoint destination);

  /** Tells the gateway that the connection from {@code local} goes on to {@code destination}. */
  void announce(Inet4Endpoint local, Inet4Endpoint gateway, Inet4Endpoint destination);
}
