package io.ax.xds.resource;

import java.util.List;
import java.util.Objects;

/** What a route does with a request that matches it. */
public sealed interface RouteAction {
  /** Forward to one cluster. */
  record ToCluster(String cluster) implements RouteAction {
    public ToCluster {
      Objects.requireNonNull(cluster, "cluster");
    }
  }

  /**
   * Split among clusters by weight (a VirtualService with weights). Entries are the named ones;
   * the parser has checked that the weights sum to more than 0.
   */
  record Weighted(List<ClusterWeight> clusters) implements RouteAction {
    public Weighted {
      clusters = List.copyOf(clusters);
      if (clusters.isEmpty()) {
        throw new IllegalArgumentException("weighted clusters are empty");
      }
    }
  }

  /** The cluster is named by a request header, unknowable at connect() time. */
  record FromHeader(String header) implements RouteAction {
    public FromHeader {
      Objects.requireNonNull(header, "header");
    }
  }

  /** Anything that sends no request upstream or picks the cluster by a plugin, by its field name
   * ({@code redirect}, {@code direct_response}, {@code cluster_specifier_plugin}...). */
  record Other(String kind) implements RouteAction {
    public Other {
      Objects.requireNonNull(kind, "kind");
    }
  }
}
