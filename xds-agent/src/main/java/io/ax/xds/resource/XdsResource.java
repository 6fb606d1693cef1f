package io.ax.xds.resource;

/**
 * An accepted xDS resource, parsed into an immutable record that holds what translation needs.
 * Made only by {@link ResourceParser}, which validates it.
 */
public sealed interface XdsResource permits ClusterResource, EndpointResource, ListenerResource, RouteResource {
  String name();

  ResourceType type();
}
