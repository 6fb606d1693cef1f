package io.ax.xds.resource;

/** An EDS ClusterLoadAssignment. CONTRACT (skeleton): fields are added by the parser work. */
public record EndpointResource(String name) implements XdsResource {
  @Override
  public ResourceType type() {
    return ResourceType.ENDPOINT;
  }
}
