package io.ax.core.federation;

import io.ax.core.net.Ipv4;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * This node as a federation gateway of its cluster ({@code --federation-gateway-*}).
 *
 * @param gatewayIp where the gateway listens for the other clusters' gateways: the federation
 *     gossip and the ingress federation gateway service (the WAN side of the node)
 * @param advertiseIp what the other gateways connect to, when a NAT stands between them and
 *     {@code gatewayIp}; else {@code gatewayIp}
 * @param port the ingress federation gateway service ({@code --federation-gateway-port})
 * @param gossipPort the gateways' JGroups group ({@code --federation-gateway-gossip-port})
 * @param neighbors other gateways, of any cluster: any live one lets this gateway join
 * @param tls mutual TLS on the gossip, with the cluster's {@code --tls} files; empty for plaintext
 */
public record FederationConfig(Ipv4 gatewayIp, Ipv4 advertiseIp, int port, int gossipPort, List<InetSocketAddress> neighbors, Optional<SSLContext> tls) {
  /** 6660: AppSwitch's ingress federation proxy port, so firewall rules written for it hold. */
  public static final int DEFAULT_PORT = 6660;

  /** 7947: AppSwitch's federation gossip port, next to the cluster's 7946. */
  public static final int DEFAULT_GOSSIP_PORT = 7947;

  public FederationConfig {
    Objects.requireNonNull(gatewayIp, "gatewayIp");
    Objects.requireNonNull(advertiseIp, "advertiseIp");
    neighbors = List.copyOf(neighbors);
    Objects.requireNonNull(tls, "tls");
  }
}
