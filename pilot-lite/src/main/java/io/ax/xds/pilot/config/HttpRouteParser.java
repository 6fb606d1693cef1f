package io.ax.xds.pilot.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Gateway API's {@code HTTPRoute} in its mesh role (GAMMA): a route whose {@code parentRefs} name
 * Services applies to the traffic to those Services, as Istio does. It is read as a
 * {@link VirtualService} of those hosts (its meta kind stays {@code HTTPRoute}): each rule is an
 * HTTP route, its {@code matches} are VirtualService matches and its {@code backendRefs}' weights
 * are the route's weights. Parents that are Gateways are not served (no gateways here).
 */
final class HttpRouteParser {
  /** Gateway API's default weight of a backendRef. */
  private static final int DEFAULT_WEIGHT = 1;
  /** As RuleParser: far from overflowing any sum of a rule's weights (Gateway API allows 1,000,000). */
  private static final int MAX_WEIGHT = 1_000_000;
  /**
   * The cluster domain of a Service in another namespace. Rules name hosts that way: a short name
   * would resolve in the route's own namespace.
   */
  static final String KUBE_SUFFIX = ".svc.cluster.local";

  private HttpRouteParser() {}

  /** The route as a VirtualService, or empty (with a note) when no parent is a Service. */
  static Optional<VirtualService> httpRoute(Meta meta, At spec, List<Note> notes) throws ConfigException {
    Set<String> hosts = new LinkedHashSet<>();
    Set<Integer> ports = new LinkedHashSet<>();
    boolean anyPort = false;
    for (At p : spec.optList("parentRefs")) {
      String group = p.optString("group", "gateway.networking.k8s.io");
      String kind = p.optString("kind", "Gateway");
      String name = p.req("name").name();
      if (!kind.equals("Service") || !(group.isEmpty() || group.equals("core"))) {
        notes.add(Note.warn(meta.id(), p.path() + " (" + kind + " " + name + ") is not applied: only Services are parents in the mesh; gateways are not served"));
        continue;
      }
      hosts.add(host(name, p.optString("namespace", meta.namespace()), meta.namespace()));
      if (p.has("port")) {
        ports.add(p.req("port").port());
      } else {
        anyPort = true;
      }
    }
    if (hosts.isEmpty()) {
      notes.add(Note.warn(meta.id(), "has no Service among its parentRefs; not applied to the mesh"));
      return Optional.empty();
    }
    // A parentRef's port limits the route to that port of the Service: a match on the port. Parents
    // that disagree (one port each, or a port and none) cannot be said by one VirtualService.
    OptionalInt port = OptionalInt.empty();
    if (!anyPort && ports.size() == 1) {
      port = OptionalInt.of(ports.iterator().next());
    } else if (!ports.isEmpty()) {
      notes.add(Note.warn(meta.id(), "spec.parentRefs name different ports; the route applies to every port of its parents"));
    }
    List<VirtualService.HttpRoute> http = new ArrayList<>();
    for (At rule : spec.optList("rules")) {
      List<VirtualService.Destination> route = backends(meta, rule, notes);
      if (route.isEmpty()) {
        notes.add(Note.warn(meta.id(), rule.path() + " has no Service backend with a weight above 0; not served"));
        continue;
      }
      List<VirtualService.HttpMatch> matches = new ArrayList<>();
      for (At m : rule.optList("matches")) {
        matches.add(match(m, port));
      }
      if (matches.isEmpty() && port.isPresent()) {
        matches.add(new VirtualService.HttpMatch(Optional.empty(), Map.of(), port));
      }
      Optional<String> name = rule.has("name") ? Optional.of(rule.req("name").name()) : Optional.empty();
      http.add(new VirtualService.HttpRoute(name, matches, route));
    }
    return Optional.of(new VirtualService(meta, List.copyOf(hosts), http, List.of()));
  }

  /** A Service's host as a rule names it: the short name in the route's namespace, else fully qualified. */
  private static String host(String name, String namespace, String routeNamespace) {
    return namespace.equals(routeNamespace) ? name : name + "." + namespace + KUBE_SUFFIX;
  }

  private static List<VirtualService.Destination> backends(Meta meta, At rule, List<Note> notes) throws ConfigException {
    List<VirtualService.Destination> out = new ArrayList<>();
    for (At b : rule.optList("backendRefs")) {
      String group = b.optString("group", "");
      String kind = b.optString("kind", "Service");
      String name = b.req("name").name();
      if (!kind.equals("Service") || !(group.isEmpty() || group.equals("core"))) {
        notes.add(Note.warn(meta.id(), b.path() + " (" + kind + " " + name + ") is not applied: only Service backends are served"));
        continue;
      }
      int weight = b.has("weight") ? b.req("weight").integer(0, MAX_WEIGHT) : DEFAULT_WEIGHT;
      if (weight == 0) {
        continue; // Gateway API: a backend of weight 0 gets no traffic
      }
      OptionalInt port = b.has("port") ? OptionalInt.of(b.req("port").port()) : OptionalInt.empty();
      out.add(new VirtualService.Destination(host(name, b.optString("namespace", meta.namespace()), meta.namespace()), Optional.empty(), port, weight));
    }
    return out;
  }

  /** An HTTPRouteMatch as a VirtualService match: path, headers and method; {@code port} from the parent. */
  private static VirtualService.HttpMatch match(At m, OptionalInt port) throws ConfigException {
    Optional<VirtualService.StringMatch> uri = Optional.empty();
    if (m.has("path")) {
      At path = m.req("path");
      String value = path.optString("value", "/");
      uri = Optional.of(switch (path.optString("type", "PathPrefix")) {
        case "Exact" -> new VirtualService.StringMatch.Exact(value);
        case "PathPrefix" -> new VirtualService.StringMatch.Prefix(value);
        case "RegularExpression" -> new VirtualService.StringMatch.Regex(value);
        default -> throw path.req("type").error("unknown value '" + path.req("type").string() + "' (expected Exact, PathPrefix or RegularExpression)");
      });
    }
    Map<String, VirtualService.StringMatch> headers = new LinkedHashMap<>();
    for (At h : m.optList("headers")) {
      // Header names are case-insensitive (RFC 9110 5.1); Envoy matches them lower-case.
      String name = h.req("name").name().toLowerCase(java.util.Locale.ROOT);
      String value = h.req("value").string();
      headers.put(name, switch (h.optString("type", "Exact")) {
        case "Exact" -> new VirtualService.StringMatch.Exact(value);
        case "RegularExpression" -> new VirtualService.StringMatch.Regex(value);
        default -> throw h.req("type").error("unknown value '" + h.req("type").string() + "' (expected Exact or RegularExpression)");
      });
    }
    if (m.has("method")) {
      headers.put(":method", new VirtualService.StringMatch.Exact(m.req("method").name()));
    }
    return new VirtualService.HttpMatch(uri, headers, port);
  }
}
