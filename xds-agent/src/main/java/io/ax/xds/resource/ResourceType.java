package io.ax.xds.resource;

import java.util.Optional;

/** The four xDS resource types the agent subscribes to, with their v3 type URLs. */
public enum ResourceType {
  CLUSTER("type.googleapis.com/envoy.config.cluster.v3.Cluster", "CDS"),
  ENDPOINT("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", "EDS"),
  LISTENER("type.googleapis.com/envoy.config.listener.v3.Listener", "LDS"),
  ROUTE("type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "RDS");

  private final String typeUrl;
  private final String shortName;

  ResourceType(String typeUrl, String shortName) {
    this.typeUrl = typeUrl;
    this.shortName = shortName;
  }

  public String typeUrl() {
    return typeUrl;
  }

  /** CDS, EDS, LDS or RDS, as logs and messages name them. */
  public String shortName() {
    return shortName;
  }

  public static Optional<ResourceType> ofTypeUrl(String typeUrl) {
    for (ResourceType t : values()) {
      if (t.typeUrl.equals(typeUrl)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
