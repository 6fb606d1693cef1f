package io.ax.core.federation;

import io.ax.bridge.net.Inet4Endpoint;
import java.util.List;
import java.util.Objects;

/**
 * Another cluster of the federation as this gateway knows it from its gateways' summaries.
 *
 * @param gateways where its ingress federation gateway services listen, one per live gateway,
 *     sorted
 * @param services what it offers: the union of its gateways' summaries, sorted by address
 */
public record RemoteCluster(String name, List<Inet4Endpoint> gateways, List<ExportedService> services) {
  public RemoteCluster {
    Objects.requireNonNull(name, "name");
    gateways = List.copyOf(gateways);
    services = List.copyOf(services);
  }
}
