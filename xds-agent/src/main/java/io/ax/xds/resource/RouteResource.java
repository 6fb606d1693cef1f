package io.ax.xds.resource;

import java.util.List;
import java.util.Objects;

/**
 * An accepted RDS RouteConfiguration: its virtual hosts in order. Made by {@link ResourceParser}.
 * The same shape holds a listener's inline {@code route_config}.
 */
public record RouteResource(String name, List<VirtualHost> virtualHosts) implements XdsResource {
  public RouteResource {
    Objects.requireNonNull(name, "name");
    virtualHosts = List.copyOf(virtualHosts);
  }

  @Override
  public ResourceType type() {
    return ResourceType.ROUTE;
  }
}
