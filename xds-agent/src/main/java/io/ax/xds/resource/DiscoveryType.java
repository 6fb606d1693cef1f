package io.ax.xds.resource;

/**
 * How a cluster finds its endpoints: Envoy's {@code Cluster.DiscoveryType}, plus {@link #CUSTOM}
 * for a {@code cluster_type} extension (aggregate, dynamic forward proxy...).
 */
public enum DiscoveryType {
  STATIC,
  STRICT_DNS,
  LOGICAL_DNS,
  EDS,
  /** Connections go to the address the client asked for (Istio's PassthroughCluster). */
  ORIGINAL_DST,
  CUSTOM
}
