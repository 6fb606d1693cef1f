package io.ax.xds.translate;

import io.ax.xds.resource.ClusterResource;
import io.ax.xds.resource.EndpointResource;
import io.ax.xds.resource.InvalidResourceException;
import io.ax.xds.resource.ListenerResource;
import io.ax.xds.resource.ResourceParser;
import io.ax.xds.resource.RouteResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.HashMap;
import java.util.Map;

/** Builds a snapshot from Envoy protos through the real parsers, as the ADS client does. */
final class SnapshotBuilder {
  private final Map<String, ClusterResource> clusters = new HashMap<>();
  private final Map<String, EndpointResource> endpoints = new HashMap<>();
  private final Map<String, ListenerResource> listeners = new HashMap<>();
  private final Map<String, RouteResource> routes = new HashMap<>();

  SnapshotBuilder cluster(Cluster c) throws InvalidResourceException {
    ClusterResource r = ResourceParser.parseCluster(c);
    clusters.put(r.name(), r);
    return this;
  }

  SnapshotBuilder endpoints(ClusterLoadAssignment cla) throws InvalidResourceException {
    EndpointResource r = ResourceParser.parseEndpoints(cla);
    endpoints.put(r.name(), r);
    return this;
  }

  SnapshotBuilder listener(Listener l) throws InvalidResourceException {
    ListenerResource r = ResourceParser.parseListener(l);
    listeners.put(r.name(), r);
    return this;
  }

  SnapshotBuilder routes(RouteConfiguration rc) throws InvalidResourceException {
    RouteResource r = ResourceParser.parseRoute(rc);
    routes.put(r.name(), r);
    return this;
  }

  XdsSnapshot build() {
    return new XdsSnapshot(clusters, endpoints, listeners, routes);
  }
}
