package io.ax.core.proxy;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;

/**
 * Where a proxy sends a connection it accepted: read when the client connects, so that it follows
 * the service table as apps and vservices change.
 */
@FunctionalInterface
public interface Route {
  /**
   * @param client the client's address, for balancers that hash it
   * @return {@link ConnectDecision.Targets} in the order to try, or {@link ConnectDecision.Refuse}
   *     when there is no backend (the client is reset)
   */
  ConnectDecision targets(Inet4Endpoint client);
}
