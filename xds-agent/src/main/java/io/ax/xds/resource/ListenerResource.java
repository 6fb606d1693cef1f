package io.ax.xds.resource;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An accepted LDS listener. Made by {@link ResourceParser}. The ADS client relies on
 * {@link #name()} and {@link #routeNames()}.
 *
 * @param routeNames the RDS route configurations its HTTP connection managers name
 * @param address where it listens; empty for an API listener (proxyless gRPC) and internal ones
 * @param filterChains its filter chains, then the default filter chain if it has one
 */
public record ListenerResource(String name, Set<String> routeNames, Optional<XdsAddress> address, List<FilterChain> filterChains)
    implements XdsResource {
  public ListenerResource {
    Objects.requireNonNull(name, "name");
    routeNames = Set.copyOf(routeNames);
    Objects.requireNonNull(address, "address");
    filterChains = List.copyOf(filterChains);
  }

  @Override
  public ResourceType type() {
    return ResourceType.LISTENER;
  }
}
