package io.ax.xds.resource;

/** An RDS RouteConfiguration. CONTRACT (skeleton): fields are added by the parser work. */
public record RouteResource(String name) implements XdsResource {
  @Override
  public ResourceType type() {
    return ResourceType.ROUTE;
  }
}
