package io.ax.core.proxy;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import java.util.concurrent.CompletionStage;

/**
 * Where a proxy that reads a PROXY protocol header from each client ({@link
 * TcpProxies#listenForHeader}) sends the connection: by what the header says, once it has come.
 */
@FunctionalInterface
public interface HeaderRoute {
  /**
   * @param peer who connected (the gateway that sent the header)
   * @param source the original client, as the header names it
   * @param destination the address the original client asked for
   * @return {@link ConnectDecision.Targets} in the order to try, or {@link ConnectDecision.Refuse}
   *     (the connection is reset)
   */
  CompletionStage<ConnectDecision> targets(Inet4Endpoint peer, Inet4Endpoint source, Inet4Endpoint destination);
}
