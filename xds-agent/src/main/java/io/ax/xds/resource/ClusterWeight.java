package io.ax.xds.resource;

import java.util.Objects;

/** One entry of a weighted_clusters split (RDS or tcp_proxy); weight may be 0 (never chosen). */
public record ClusterWeight(String cluster, int weight) {
  public ClusterWeight {
    Objects.requireNonNull(cluster, "cluster");
    if (weight < 0) {
      throw new IllegalArgumentException("weight " + weight + " must not be negative");
    }
  }
}
