package io.ax.xds.pilot.xds;

import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.ax.xds.pilot.config.VirtualService;
import io.ax.xds.pilot.mesh.Hosts;
import io.ax.xds.pilot.mesh.Mesh;
import io.ax.xds.pilot.mesh.MeshService;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The RDS route configuration of an HTTP port: one virtual host {@code HOST:PORT} per service on
 * that port, with istiod's domains, and its routes: the VirtualService's HTTP routes (one Envoy
 * route per match, matches kept; a split becomes {@code weighted_clusters}, as route.go does), or
 * the default route {@code /} to {@code outbound|PORT||HOST}. Pure.
 */
final class RouteGenerator {
  /** istiod's route timeout when a VirtualService sets none: 0s, no timeout. */
  private static final Duration NO_TIMEOUT = Duration.getDefaultInstance();

  private RouteGenerator() {}

  /** The route configuration of an HTTP port over the virtual hosts of its services. */
  static RouteConfiguration configuration(int port, List<VirtualHost> virtualHosts) {
    return RouteConfiguration.newBuilder()
        .setName(ClusterNames.route(port))
        .setValidateClusters(com.google.protobuf.BoolValue.of(false))
        .addAllVirtualHosts(virtualHosts)
        .build();
  }

  /** The virtual host {@code HOST:PORT} of a service on one of its HTTP ports. */
  static VirtualHost virtualHost(Mesh mesh, int port, MeshService s, List<String> notes) {
    VirtualHost.Builder vh = VirtualHost.newBuilder().setName(s.host() + ":" + port).addAllDomains(Hosts.domains(s, port, mesh.options()));
    Optional<VirtualService> vs = mesh.virtualService(s.host());
    if (vs.isPresent() && !vs.get().http().isEmpty()) {
      routes(mesh, vs.get(), port, vh, notes);
    }
    if (vh.getRoutesCount() == 0) {
      vh.addRoutes(Route.newBuilder()
          .setName("default")
          .setMatch(RouteMatch.newBuilder().setPrefix("/"))
          .setRoute(RouteAction.newBuilder().setCluster(ClusterNames.outbound(port, "", s.host())).setTimeout(NO_TIMEOUT)));
    }
    return vh.build();
  }

  private static void routes(Mesh mesh, VirtualService vs, int port, VirtualHost.Builder vh, List<String> notes) {
    for (VirtualService.HttpRoute http : vs.http()) {
      List<Destinations.Target> targets = Destinations.resolve(mesh, vs, http.route(), port, notes);
      if (targets.isEmpty()) {
        continue;
      }
      RouteAction.Builder action = RouteAction.newBuilder().setTimeout(NO_TIMEOUT);
      if (targets.size() == 1) {
        action.setCluster(targets.getFirst().cluster());
      } else {
        WeightedCluster.Builder wc = WeightedCluster.newBuilder();
        for (Destinations.Target t : targets) {
          wc.addClusters(WeightedCluster.ClusterWeight.newBuilder().setName(t.cluster()).setWeight(UInt32Value.of(t.weight())));
        }
        action.setWeightedClusters(wc);
      }
      List<VirtualService.HttpMatch> matches = http.match().stream()
          .filter(m -> m.port().isEmpty() || m.port().getAsInt() == port)
          .toList();
      if (!http.match().isEmpty() && matches.isEmpty()) {
        continue; // every match is for another port
      }
      if (matches.isEmpty()) {
        vh.addRoutes(Route.newBuilder().setName(http.name().orElse("")).setMatch(RouteMatch.newBuilder().setPrefix("/")).setRoute(action));
      }
      for (VirtualService.HttpMatch m : matches) {
        vh.addRoutes(Route.newBuilder().setName(http.name().orElse("")).setMatch(match(m)).setRoute(action));
      }
    }
  }

  private static RouteMatch match(VirtualService.HttpMatch m) {
    RouteMatch.Builder b = RouteMatch.newBuilder();
    switch (m.uri().orElse(new VirtualService.StringMatch.Prefix("/"))) {
      case VirtualService.StringMatch.Exact e -> b.setPath(e.value());
      case VirtualService.StringMatch.Prefix p -> b.setPrefix(p.value());
      case VirtualService.StringMatch.Regex r -> b.setSafeRegex(RegexMatcher.newBuilder().setRegex(r.value()));
    }
    for (Map.Entry<String, VirtualService.StringMatch> h : m.headers().entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
      b.addHeaders(HeaderMatcher.newBuilder().setName(h.getKey()).setStringMatch(stringMatcher(h.getValue())));
    }
    return b.build();
  }

  private static StringMatcher stringMatcher(VirtualService.StringMatch m) {
    return switch (m) {
      case VirtualService.StringMatch.Exact e -> StringMatcher.newBuilder().setExact(e.value()).build();
      case VirtualService.StringMatch.Prefix p -> StringMatcher.newBuilder().setPrefix(p.value()).build();
      case VirtualService.StringMatch.Regex r -> StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(r.value())).build();
    };
  }
}
