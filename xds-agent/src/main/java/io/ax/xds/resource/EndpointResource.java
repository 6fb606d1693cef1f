package io.ax.xds.resource;

import java.util.List;
import java.util.Objects;

/**
 * An accepted EDS ClusterLoadAssignment: its endpoints, flattened over locality groups in the
 * order they came. Made by {@link ResourceParser}.
 *
 * @param name the cluster_name, which is the EDS service name a cluster subscribes to
 */
public record EndpointResource(String name, List<LbEndpoint> endpoints) implements XdsResource {
  public EndpointResource {
    Objects.requireNonNull(name, "name");
    endpoints = List.copyOf(endpoints);
  }

  @Override
  public ResourceType type() {
    return ResourceType.ENDPOINT;
  }
}
