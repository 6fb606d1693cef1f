package io.ax.xds.resource;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RDS: a RouteConfiguration into a {@link RouteResource}. Rules (Envoy's own): an RDS route
 * configuration has a name; each virtual host has a name and at least one domain, and no domain
 * appears in two virtual hosts; each route has a path specifier and an action; a route action
 * names a cluster (cluster, cluster_header, weighted_clusters or a plugin); weighted_clusters
 * entries name a cluster and their weights sum to more than 0 (ax adds: each fits in 31 bits).
 * Counts are bounded by {@link Limits}. Header matches, regexes, retries and the like are valid:
 * translation reports them.
 */
final class RouteParser {
  private RouteParser() {}

  private static final String FAULT_FILTER = "envoy.filters.http.fault";
  private static final String CORS_FILTER = "envoy.filters.http.cors";

  static RouteResource parse(RouteConfiguration rc) throws InvalidResourceException {
    String name = rc.getName();
    if (name.isEmpty()) {
      throw new InvalidResourceException(ResourceType.ROUTE, name, "name is empty");
    }
    if (name.length() > Limits.MAX_NAME) {
      throw new InvalidResourceException(ResourceType.ROUTE, EndpointParser.abbreviate(name), "name is longer than " + Limits.MAX_NAME + " characters");
    }
    try {
      return routes(rc, "");
    } catch (BadRoute e) {
      throw new InvalidResourceException(ResourceType.ROUTE, name, e.getMessage());
    }
  }

  /** A reason naming the place in a route configuration. */
  static final class BadRoute extends Exception {
    BadRoute(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Parses a route configuration, named or inline; {@code prefix} places errors ("route_config."). */
  static RouteResource routes(RouteConfiguration rc, String prefix) throws BadRoute {
    if (rc.getVirtualHostsCount() > Limits.MAX_VIRTUAL_HOSTS) {
      throw new BadRoute(prefix + "virtual_hosts: " + rc.getVirtualHostsCount() + ", more than the limit of " + Limits.MAX_VIRTUAL_HOSTS);
    }
    List<VirtualHost> hosts = new ArrayList<>(rc.getVirtualHostsCount());
    Map<String, String> domainOwner = new HashMap<>();
    for (int v = 0; v < rc.getVirtualHostsCount(); v++) {
      io.envoyproxy.envoy.config.route.v3.VirtualHost vh = rc.getVirtualHosts(v);
      String where = prefix + "virtual_hosts[" + v + "]";
      if (vh.getName().isEmpty()) {
        throw new BadRoute(where + ": name is empty");
      }
      where = prefix + "virtual host '" + vh.getName() + "'";
      if (vh.getDomainsCount() == 0) {
        throw new BadRoute(where + ": no domains (expected at least one)");
      }
      if (vh.getDomainsCount() > Limits.MAX_DOMAINS) {
        throw new BadRoute(where + ": " + vh.getDomainsCount() + " domains, more than the limit of " + Limits.MAX_DOMAINS);
      }
      for (String d : vh.getDomainsList()) {
        if (d.isEmpty()) {
          throw new BadRoute(where + ": a domain is empty");
        }
        String other = domainOwner.putIfAbsent(d.toLowerCase(java.util.Locale.ROOT), vh.getName());
        if (other != null) {
          throw new BadRoute(where + ": domain '" + d + "' is also in virtual host '" + other + "' (domains must be unique)");
        }
      }
      if (vh.getRoutesCount() > Limits.MAX_ROUTES) {
        throw new BadRoute(where + ": " + vh.getRoutesCount() + " routes, more than the limit of " + Limits.MAX_ROUTES);
      }
      Set<L7Feature> hostFeatures = EnumSet.noneOf(L7Feature.class);
      if (vh.hasRetryPolicy()) {
        hostFeatures.add(L7Feature.RETRIES);
      }
      if (vh.getRequestHeadersToAddCount() + vh.getRequestHeadersToRemoveCount() + vh.getResponseHeadersToAddCount() + vh.getResponseHeadersToRemoveCount() > 0) {
        hostFeatures.add(L7Feature.HEADER_MUTATION);
      }
      filterConfigs(vh.getTypedPerFilterConfigMap().keySet(), hostFeatures);
      List<Route> routes = new ArrayList<>(vh.getRoutesCount());
      for (int r = 0; r < vh.getRoutesCount(); r++) {
        routes.add(route(vh.getRoutes(r), where + " routes[" + r + "]", hostFeatures));
      }
      hosts.add(new VirtualHost(vh.getName(), vh.getDomainsList(), routes));
    }
    return new RouteResource(rc.getName(), hosts);
  }

  private static Route route(io.envoyproxy.envoy.config.route.v3.Route r, String where, Set<L7Feature> hostFeatures) throws BadRoute {
    io.envoyproxy.envoy.config.route.v3.RouteMatch m = r.getMatch();
    PathMatch path = switch (m.getPathSpecifierCase()) {
      case PREFIX -> new PathMatch.Prefix(m.getPrefix());
      case PATH -> new PathMatch.Exact(m.getPath());
      case SAFE_REGEX -> new PathMatch.Regex(m.getSafeRegex().getRegex());
      case CONNECT_MATCHER -> new PathMatch.Other("connect_matcher");
      case PATH_SEPARATED_PREFIX -> new PathMatch.Other("path_separated_prefix " + m.getPathSeparatedPrefix());
      case PATH_MATCH_POLICY -> new PathMatch.Other("path_match_policy");
      case PATHSPECIFIER_NOT_SET -> throw new BadRoute(where + ": match has no path specifier (expected prefix, path or safe_regex)");
    };
    List<String> headers = new ArrayList<>(m.getHeadersCount());
    for (var h : m.getHeadersList()) {
      headers.add(h.getName());
    }
    List<String> query = new ArrayList<>(m.getQueryParametersCount());
    for (var q : m.getQueryParametersList()) {
      query.add(q.getName());
    }
    List<String> other = new ArrayList<>();
    if (m.hasGrpc()) {
      other.add("grpc");
    }
    if (m.hasRuntimeFraction()) {
      other.add("runtime_fraction");
    }
    if (m.hasTlsContext()) {
      other.add("tls_context");
    }
    if (m.getDynamicMetadataCount() > 0) {
      other.add("dynamic_metadata");
    }
    if (m.getFilterStateCount() > 0) {
      other.add("filter_state");
    }
    Set<L7Feature> features = EnumSet.noneOf(L7Feature.class);
    features.addAll(hostFeatures);
    if (r.getRequestHeadersToAddCount() + r.getRequestHeadersToRemoveCount() + r.getResponseHeadersToAddCount() + r.getResponseHeadersToRemoveCount() > 0) {
      features.add(L7Feature.HEADER_MUTATION);
    }
    filterConfigs(r.getTypedPerFilterConfigMap().keySet(), features);
    RouteAction action = switch (r.getActionCase()) {
      case ROUTE -> routeAction(r.getRoute(), where, features);
      case REDIRECT -> new RouteAction.Other("redirect");
      case DIRECT_RESPONSE -> new RouteAction.Other("direct_response " + r.getDirectResponse().getStatus());
      case FILTER_ACTION -> new RouteAction.Other("filter_action");
      case NON_FORWARDING_ACTION -> new RouteAction.Other("non_forwarding_action");
      case ACTION_NOT_SET -> throw new BadRoute(where + ": no action (expected route, redirect or direct_response)");
    };
    return new Route(r.getName(), new RouteMatch(path, headers, query, other), action, features);
  }

  private static RouteAction routeAction(io.envoyproxy.envoy.config.route.v3.RouteAction a, String where, Set<L7Feature> features) throws BadRoute {
    if (a.hasRetryPolicy()) {
      features.add(L7Feature.RETRIES);
    }
    if (a.hasTimeout() && (a.getTimeout().getSeconds() != 0 || a.getTimeout().getNanos() != 0)) {
      features.add(L7Feature.TIMEOUT);
    }
    if (a.getRequestMirrorPoliciesCount() > 0) {
      features.add(L7Feature.MIRROR);
    }
    if (!a.getPrefixRewrite().isEmpty() || a.hasRegexRewrite() || a.hasPathRewritePolicy()
        || a.getHostRewriteSpecifierCase() != io.envoyproxy.envoy.config.route.v3.RouteAction.HostRewriteSpecifierCase.HOSTREWRITESPECIFIER_NOT_SET) {
      features.add(L7Feature.REWRITE);
    }
    if (a.getHashPolicyCount() > 0) {
      features.add(L7Feature.HASH_POLICY);
    }
    return switch (a.getClusterSpecifierCase()) {
      case CLUSTER -> {
        if (a.getCluster().isEmpty()) {
          throw new BadRoute(where + ": route.cluster is empty");
        }
        yield new RouteAction.ToCluster(a.getCluster());
      }
      case CLUSTER_HEADER -> {
        if (a.getClusterHeader().isEmpty()) {
          throw new BadRoute(where + ": route.cluster_header is empty");
        }
        yield new RouteAction.FromHeader(a.getClusterHeader());
      }
      case WEIGHTED_CLUSTERS -> weighted(a.getWeightedClusters(), where + ": route.weighted_clusters");
      case CLUSTER_SPECIFIER_PLUGIN -> new RouteAction.Other("cluster_specifier_plugin " + a.getClusterSpecifierPlugin());
      case INLINE_CLUSTER_SPECIFIER_PLUGIN -> new RouteAction.Other("inline_cluster_specifier_plugin");
      case CLUSTERSPECIFIER_NOT_SET -> throw new BadRoute(where + ": route names no cluster (expected cluster, cluster_header or weighted_clusters)");
    };
  }

  private static RouteAction weighted(WeightedCluster wc, String where) throws BadRoute {
    if (wc.getClustersCount() == 0) {
      throw new BadRoute(where + " has no clusters");
    }
    if (wc.getClustersCount() > Limits.MAX_WEIGHTED_CLUSTERS) {
      throw new BadRoute(where + ": " + wc.getClustersCount() + " clusters, more than the limit of " + Limits.MAX_WEIGHTED_CLUSTERS);
    }
    List<ClusterWeight> out = new ArrayList<>(wc.getClustersCount());
    long sum = 0;
    String header = null;
    for (int i = 0; i < wc.getClustersCount(); i++) {
      WeightedCluster.ClusterWeight cw = wc.getClusters(i);
      int w = cw.getWeight().getValue();
      if (w < 0) {
        throw new BadRoute(where + ".clusters[" + i + "]: weight " + Integer.toUnsignedString(w) + " is above 2147483647");
      }
      sum += w;
      if (!cw.getClusterHeader().isEmpty()) {
        header = cw.getClusterHeader();
        continue;
      }
      if (cw.getName().isEmpty()) {
        throw new BadRoute(where + ".clusters[" + i + "]: name is empty");
      }
      out.add(new ClusterWeight(cw.getName(), w));
    }
    if (sum == 0) {
      throw new BadRoute(where + ": weights sum to 0 (expected more than 0)");
    }
    if (sum > 0xFFFF_FFFFL) {
      throw new BadRoute(where + ": weights sum to " + sum + ", more than 4294967295");
    }
    if (header != null) {
      return new RouteAction.FromHeader(header);
    }
    return new RouteAction.Weighted(out);
  }

  private static void filterConfigs(Set<String> filterNames, Set<L7Feature> into) {
    for (String f : filterNames) {
      into.add(switch (f) {
        case FAULT_FILTER -> L7Feature.FAULT_INJECTION;
        case CORS_FILTER -> L7Feature.CORS;
        default -> L7Feature.OTHER_FILTER_CONFIG;
      });
    }
  }
}
