package io.ax.xds.resource;

import java.util.Set;

/**
 * An LDS listener. CONTRACT (skeleton): the ADS client relies only on {@link #name()} and
 * {@link #routeNames()}.
 *
 * @param routeNames the RDS route configurations its HTTP connection managers name
 */
public record ListenerResource(String name, Set<String> routeNames) implements XdsResource {
  @Override
  public ResourceType type() {
    return ResourceType.LISTENER;
  }
}
