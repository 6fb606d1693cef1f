package io.ax.core.proxy;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;

/**
 * Where a proxy sends a connection it accepted: read when the client connects, so that it follows
 * the service table as apps and vservices change. It may answer later (an egress gateway waits
 * for the announcement of the connection); the client's bytes wait in the kernel meanwhile.
 */
@FunctionalInterface
public interface Route {
  /**
   * @param client the client's address, for balancers that hash it
   * @return {@link ConnectDecision.Targets} in the order to try, or {@link ConnectDecision.Refuse}
   *     when there is no backend (the client is reset)
   */
  java.util.concurrent.CompletionStage<ConnectDecision> targets(Inet4Endpoint client);

  /** A route that answers at once. */
  static Route now(java.util.function.Function<Inet4Endpoint, ConnectDecision> decide) {
    return client -> java.util.concurrent.CompletableFuture.completedFuture(decide.apply(client));
  }
}
