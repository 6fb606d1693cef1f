package io.ax.xds.translate;

import io.ax.xds.pilot.config.ConfigObject;
import io.ax.xds.pilot.mesh.MeshBuilder;
import io.ax.xds.pilot.mesh.MeshOptions;
import io.ax.xds.pilot.xds.IstioResources;
import io.ax.xds.pilot.xds.XdsGenerator;
import io.ax.xds.resource.ClusterResource;
import io.ax.xds.resource.EndpointResource;
import io.ax.xds.resource.ListenerResource;
import io.ax.xds.resource.ResourceParser;
import io.ax.xds.resource.RouteResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What pilot-lite serves for some config objects, as the agent's ADS client accepts it. */
public final class PilotLiteSnapshots {
  private PilotLiteSnapshots() {}

  public static XdsSnapshot of(List<ConfigObject> objects) throws Exception {
    IstioResources r = XdsGenerator.generate(MeshBuilder.build(objects, MeshOptions.DEFAULTS));
    Map<String, ClusterResource> clusters = new HashMap<>();
    for (Cluster c : r.clusters()) {
      clusters.put(c.getName(), ResourceParser.parseCluster(c));
    }
    Map<String, EndpointResource> endpoints = new HashMap<>();
    for (ClusterLoadAssignment e : r.endpoints()) {
      endpoints.put(e.getClusterName(), ResourceParser.parseEndpoints(e));
    }
    Map<String, ListenerResource> listeners = new HashMap<>();
    for (Listener l : r.listeners()) {
      listeners.put(l.getName(), ResourceParser.parseListener(l));
    }
    Map<String, RouteResource> routes = new HashMap<>();
    for (RouteConfiguration rc : r.routes()) {
      routes.put(rc.getName(), ResourceParser.parseRoute(rc));
    }
    return new XdsSnapshot(clusters, endpoints, listeners, routes);
  }
}
