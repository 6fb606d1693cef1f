package io.ax.xds.translate;

import io.ax.xds.resource.ClusterResource;
import io.ax.xds.resource.EndpointResource;
import io.ax.xds.resource.ListenerResource;
import io.ax.xds.resource.RouteResource;
import java.util.Map;

/** The accepted resources of all four types at one moment, by resource name. Immutable. */
public record XdsSnapshot(
    Map<String, ClusterResource> clusters,
    Map<String, EndpointResource> endpoints,
    Map<String, ListenerResource> listeners,
    Map<String, RouteResource> routes) {
  public XdsSnapshot {
    clusters = Map.copyOf(clusters);
    endpoints = Map.copyOf(endpoints);
    listeners = Map.copyOf(listeners);
    routes = Map.copyOf(routes);
  }

  public static final XdsSnapshot EMPTY = new XdsSnapshot(Map.of(), Map.of(), Map.of(), Map.of());
}
