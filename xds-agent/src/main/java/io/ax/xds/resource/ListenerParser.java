package io.ax.xds.resource;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * LDS: a Listener into a {@link ListenerResource}, each filter chain reduced to its terminal
 * network filter. Rules: the name is set; the address, when set, is an IP socket address with a
 * port in range (or a pipe or internal address); an HTTP connection manager or tcp_proxy config
 * decodes; an HCM takes its routes from RDS over ADS (or self), an inline route_config (which
 * follows the RDS rules) or scoped routes (kept as {@link ChainAction.Other}); an RDS name is
 * set; a tcp_proxy names a cluster or weighted clusters whose weights sum to more than 0. Counts
 * are bounded by {@link Limits}.
 */
final class ListenerParser {
  private ListenerParser() {}

  static final String HCM_TYPE = "type.googleapis.com/" + HttpConnectionManager.getDescriptor().getFullName();
  static final String TCP_PROXY_TYPE = "type.googleapis.com/" + TcpProxy.getDescriptor().getFullName();

  static ListenerResource parse(Listener l) throws InvalidResourceException {
    String name = l.getName();
    if (name.isEmpty()) {
      throw invalid(name, "name is empty");
    }
    if (name.length() > Limits.MAX_NAME) {
      throw invalid(EndpointParser.abbreviate(name), "name is longer than " + Limits.MAX_NAME + " characters");
    }
    Optional<XdsAddress> address = Optional.empty();
    if (l.hasAddress()) {
      try {
        XdsAddress a = Addresses.of(l.getAddress());
        if (a instanceof XdsAddress.Hostname(String host, int port)) {
          throw invalid(name, "address '" + host + "' is not an IP address");
        }
        address = Optional.of(a);
      } catch (Addresses.BadAddress e) {
        throw invalid(name, "address: " + e.getMessage());
      }
    }
    int chains = l.getFilterChainsCount() + (l.hasDefaultFilterChain() ? 1 : 0);
    if (chains > Limits.MAX_FILTER_CHAINS) {
      throw invalid(name, chains + " filter chains, more than the limit of " + Limits.MAX_FILTER_CHAINS);
    }
    List<FilterChain> out = new ArrayList<>(chains + 1);
    TreeSet<String> routeNames = new TreeSet<>();
    for (int i = 0; i < l.getFilterChainsCount(); i++) {
      out.add(chain(name, l.getFilterChains(i), "filter_chains[" + i + "]", routeNames));
    }
    if (l.hasDefaultFilterChain()) {
      out.add(chain(name, l.getDefaultFilterChain(), "default_filter_chain", routeNames));
    }
    if (l.hasApiListener()) {
      Any api = l.getApiListener().getApiListener();
      ChainAction action = api.getTypeUrl().equals(HCM_TYPE)
          ? http(name, api, "api_listener", routeNames)
          : new ChainAction.Other(api.getTypeUrl());
      out.add(new FilterChain("api_listener", action));
    }
    return new ListenerResource(name, routeNames, address, out);
  }

  private static FilterChain chain(String name, io.envoyproxy.envoy.config.listener.v3.FilterChain fc, String where, TreeSet<String> routeNames)
      throws InvalidResourceException {
    if (fc.getFiltersCount() > Limits.MAX_FILTERS) {
      throw invalid(name, where + ": " + fc.getFiltersCount() + " filters, more than the limit of " + Limits.MAX_FILTERS);
    }
    if (fc.getFiltersCount() == 0) {
      return new FilterChain(fc.getName(), new ChainAction.Other(""));
    }
    // Network filters run in order and the last one terminates the connection.
    Filter last = fc.getFilters(fc.getFiltersCount() - 1);
    String at = where + ".filters[" + (fc.getFiltersCount() - 1) + "]";
    if (last.getConfigTypeCase() != Filter.ConfigTypeCase.TYPED_CONFIG) {
      return new FilterChain(fc.getName(), new ChainAction.Other(last.getName()));
    }
    Any config = last.getTypedConfig();
    ChainAction action;
    if (config.getTypeUrl().equals(HCM_TYPE)) {
      action = http(name, config, at, routeNames);
    } else if (config.getTypeUrl().equals(TCP_PROXY_TYPE)) {
      action = tcp(name, config, at);
    } else {
      action = new ChainAction.Other(last.getName());
    }
    return new FilterChain(fc.getName(), action);
  }

  private static ChainAction http(String name, Any config, String at, TreeSet<String> routeNames) throws InvalidResourceException {
    HttpConnectionManager hcm;
    try {
      hcm = HttpConnectionManager.parseFrom(config.getValue());
    } catch (InvalidProtocolBufferException e) {
      throw invalid(name, at + ": http_connection_manager does not decode: " + e.getMessage());
    }
    return switch (hcm.getRouteSpecifierCase()) {
      case RDS -> {
        String route = hcm.getRds().getRouteConfigName();
        if (route.isEmpty()) {
          throw invalid(name, at + ": rds.route_config_name is empty");
        }
        ConfigSource source = hcm.getRds().getConfigSource();
        if (!source.hasAds() && !source.hasSelf()) {
          throw invalid(name, at + ": rds.config_source must be ADS (the agent fetches routes only over its ADS stream)");
        }
        routeNames.add(route);
        yield new ChainAction.HttpRds(route);
      }
      case ROUTE_CONFIG -> {
        try {
          yield new ChainAction.HttpInline(RouteParser.routes(hcm.getRouteConfig(), at + ".route_config."));
        } catch (RouteParser.BadRoute e) {
          throw invalid(name, e.getMessage());
        }
      }
      case SCOPED_ROUTES -> new ChainAction.Other("envoy.filters.network.http_connection_manager (scoped_routes)");
      case ROUTESPECIFIER_NOT_SET -> throw invalid(name, at + ": http_connection_manager has no routes (expected rds, route_config or scoped_routes)");
    };
  }

  private static ChainAction tcp(String name, Any config, String at) throws InvalidResourceException {
    TcpProxy tcp;
    try {
      tcp = TcpProxy.parseFrom(config.getValue());
    } catch (InvalidProtocolBufferException e) {
      throw invalid(name, at + ": tcp_proxy does not decode: " + e.getMessage());
    }
    return switch (tcp.getClusterSpecifierCase()) {
      case CLUSTER -> {
        if (tcp.getCluster().isEmpty()) {
          throw invalid(name, at + ": tcp_proxy.cluster is empty");
        }
        yield new ChainAction.TcpProxy(List.of(new ClusterWeight(tcp.getCluster(), 1)));
      }
      case WEIGHTED_CLUSTERS -> {
        var clusters = tcp.getWeightedClusters().getClustersList();
        if (clusters.isEmpty() || clusters.size() > Limits.MAX_WEIGHTED_CLUSTERS) {
          throw invalid(name, at + ": tcp_proxy.weighted_clusters has " + clusters.size() + " clusters (expected 1 to " + Limits.MAX_WEIGHTED_CLUSTERS + ")");
        }
        List<ClusterWeight> out = new ArrayList<>(clusters.size());
        long sum = 0;
        for (int i = 0; i < clusters.size(); i++) {
          var c = clusters.get(i);
          if (c.getName().isEmpty()) {
            throw invalid(name, at + ": tcp_proxy.weighted_clusters.clusters[" + i + "].name is empty");
          }
          if (c.getWeight() < 0) {
            throw invalid(name, at + ": tcp_proxy.weighted_clusters.clusters[" + i + "].weight " + Integer.toUnsignedString(c.getWeight()) + " is above 2147483647");
          }
          sum += c.getWeight();
          out.add(new ClusterWeight(c.getName(), c.getWeight()));
        }
        if (sum == 0) {
          throw invalid(name, at + ": tcp_proxy.weighted_clusters weights sum to 0 (expected more than 0)");
        }
        yield new ChainAction.TcpProxy(out);
      }
      case CLUSTERSPECIFIER_NOT_SET -> throw invalid(name, at + ": tcp_proxy names no cluster (expected cluster or weighted_clusters)");
    };
  }

  private static InvalidResourceException invalid(String name, String reason) {
    return new InvalidResourceException(ResourceType.LISTENER, name, reason);
  }
}
