package io.ax.xds.resource;

import java.util.List;
import java.util.Objects;

/** What a listener filter chain does with a connection: its terminal network filter. */
public sealed interface ChainAction {
  /** An HTTP connection manager whose routes come from RDS. */
  record HttpRds(String routeConfigName) implements ChainAction {
    public HttpRds {
      Objects.requireNonNull(routeConfigName, "routeConfigName");
    }
  }

  /** An HTTP connection manager with an inline {@code route_config}. */
  record HttpInline(RouteResource routeConfig) implements ChainAction {
    public HttpInline {
      Objects.requireNonNull(routeConfig, "routeConfig");
    }
  }

  /** A tcp_proxy to one cluster (one entry of weight 1) or a weighted_clusters split. */
  record TcpProxy(List<ClusterWeight> clusters) implements ChainAction {
    public TcpProxy {
      clusters = List.copyOf(clusters);
      if (clusters.isEmpty()) {
        throw new IllegalArgumentException("tcp_proxy names no cluster");
      }
    }
  }

  /** Any other terminal filter (or none), by the filter's name. */
  record Other(String filterName) implements ChainAction {
    public Other {
      Objects.requireNonNull(filterName, "filterName");
    }
  }
}
