package io.ax.xds.pilot.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/** Parsers of Istio's traffic rules: DestinationRule, VirtualService, legacy DestinationPolicy. */
final class RuleParser {
  private static final List<String> SIMPLE = List.of("UNSPECIFIED", "ROUND_ROBIN", "RANDOM", "LEAST_REQUEST", "LEAST_CONN", "PASSTHROUGH");
  private static final List<String> LEGACY = List.of("ROUND_ROBIN", "RANDOM", "LEAST_CONN");
  /** Match conditions of an HTTPMatchRequest that become headers in Envoy, with their pseudo-header. */
  private static final Map<String, String> PSEUDO_HEADERS = Map.of("method", ":method", "authority", ":authority", "scheme", ":scheme");

  /** Istio's weights are int32; a million keeps any sum of a route's weights far from overflow. */
  private static final int MAX_WEIGHT = 1_000_000;

  private RuleParser() {}

  static DestinationRule destinationRule(Meta meta, At spec) throws ConfigException {
    String host = spec.req("host").name();
    TrafficPolicy policy = spec.opt("trafficPolicy").isPresent() ? trafficPolicy(spec.req("trafficPolicy")) : TrafficPolicy.NONE;
    List<DestinationRule.Subset> subsets = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (At s : spec.optList("subsets")) {
      String name = s.req("name").name();
      if (!names.add(name)) {
        throw s.req("name").error("duplicate subset '" + name + "'");
      }
      subsets.add(new DestinationRule.Subset(
          name, s.optStringMap("labels"), s.opt("trafficPolicy").isPresent() ? trafficPolicy(s.req("trafficPolicy")) : TrafficPolicy.NONE));
    }
    return new DestinationRule(meta, host, policy, subsets);
  }

  private static TrafficPolicy trafficPolicy(At tp) throws ConfigException {
    Optional<LoadBalancer> lb = tp.opt("loadBalancer").isPresent() ? loadBalancer(tp.req("loadBalancer")) : Optional.empty();
    Map<Integer, LoadBalancer> portLevel = new LinkedHashMap<>();
    Map<Integer, ConnectionSettings> portLevelConnection = new LinkedHashMap<>();
    for (At p : tp.optList("portLevelSettings")) {
      int port = p.req("port").req("number").port();
      // Port-level settings replace the rule-level ones and inherit nothing (Istio's API: "default
      // values will be applied to fields omitted in port-level traffic policies"): a port without
      // a load balancer of its own gets the default one, whatever the rule's trafficPolicy says.
      Optional<LoadBalancer> plb = p.opt("loadBalancer").isPresent() ? loadBalancer(p.req("loadBalancer")) : Optional.empty();
      if (portLevel.put(port, plb.orElse(new LoadBalancer.Simple(LoadBalancer.SimpleLb.UNSPECIFIED))) != null) {
        throw p.error("port " + port + " is listed twice");
      }
      ConnectionSettings pc = connectionSettings(p);
      if (!pc.equals(ConnectionSettings.NONE) && portLevelConnection.put(port, pc) != null) {
        throw p.error("port " + port + " is listed twice");
      }
    }
    return new TrafficPolicy(lb, portLevel, connectionSettings(tp), portLevelConnection);
  }

  /** Istio's validation: a connect timeout and ejection times of at least 1 ms. */
  private static final java.time.Duration MIN_DURATION = java.time.Duration.ofMillis(1);

  /** {@code connectionPool.tcp} and {@code outlierDetection} of a (port-level) traffic policy. */
  private static ConnectionSettings connectionSettings(At tp) throws ConfigException {
    Optional<ConnectionSettings.TcpPool> tcp = Optional.empty();
    if (tp.has("connectionPool") && tp.req("connectionPool").has("tcp")) {
      At t = tp.req("connectionPool").req("tcp");
      tcp = Optional.of(new ConnectionSettings.TcpPool(
          t.has("connectTimeout") ? Optional.of(GoDuration.parse(t.req("connectTimeout"), MIN_DURATION)) : Optional.empty(),
          t.has("maxConnections") ? OptionalInt.of(t.req("maxConnections").integer(0, Integer.MAX_VALUE)) : OptionalInt.empty()));
    }
    Optional<ConnectionSettings.Outlier> outlier = Optional.empty();
    if (tp.has("outlierDetection")) {
      At o = tp.req("outlierDetection");
      outlier = Optional.of(new ConnectionSettings.Outlier(
          optCount(o, "consecutive5xxErrors"),
          optCount(o, "consecutiveGatewayErrors"),
          o.has("splitExternalLocalOriginErrors") && Boolean.parseBoolean(o.req("splitExternalLocalOriginErrors").string().strip()),
          optCount(o, "consecutiveLocalOriginFailures"),
          o.has("interval") ? Optional.of(GoDuration.parse(o.req("interval"), MIN_DURATION)) : Optional.empty(),
          o.has("baseEjectionTime") ? Optional.of(GoDuration.parse(o.req("baseEjectionTime"), MIN_DURATION)) : Optional.empty(),
          o.has("maxEjectionPercent") ? OptionalInt.of(o.req("maxEjectionPercent").integer(0, 100)) : OptionalInt.empty()));
    }
    Optional<ConnectionSettings.LocalitySetting> locality = Optional.empty();
    if (tp.has("loadBalancer") && tp.req("loadBalancer").has("localityLbSetting")) {
      At l = tp.req("loadBalancer").req("localityLbSetting");
      List<Map.Entry<String, String>> failover = new ArrayList<>();
      for (At f : l.optList("failover")) {
        failover.add(Map.entry(f.req("from").name(), f.req("to").name()));
      }
      List<Map.Entry<String, Map<String, Integer>>> distribute = new ArrayList<>();
      for (At d : l.optList("distribute")) {
        Map<String, Integer> to = new LinkedHashMap<>();
        for (Map.Entry<String, At> e : d.req("to").entries()) {
          to.put(e.getKey(), e.getValue().integer(1, MAX_WEIGHT));
        }
        if (to.isEmpty()) {
          throw d.req("to").error("must name at least one locality with its weight");
        }
        distribute.add(Map.entry(d.req("from").name(), to));
      }
      if (!failover.isEmpty() && !distribute.isEmpty()) {
        throw l.error("failover and distribute cannot both be set (as Istio's validation says)");
      }
      boolean enabled = !l.has("enabled") || !l.req("enabled").string().strip().equalsIgnoreCase("false");
      locality = Optional.of(new ConnectionSettings.LocalitySetting(enabled, failover, distribute));
    }
    return new ConnectionSettings(tcp, outlier, locality);
  }

  private static OptionalInt optCount(At o, String key) throws ConfigException {
    return o.has(key) ? OptionalInt.of(o.req(key).integer(0, Integer.MAX_VALUE)) : OptionalInt.empty();
  }

  /** Empty when the load balancer only sets locality or warm-up, which connect() cannot use. */
  private static Optional<LoadBalancer> loadBalancer(At lb) throws ConfigException {
    boolean simple = lb.has("simple");
    boolean hash = lb.has("consistentHash");
    if (simple && hash) {
      throw lb.error("simple and consistentHash cannot both be set");
    }
    if (simple) {
      String v = lb.req("simple").string();
      // LEAST_CONN is Istio's deprecated name of LEAST_REQUEST.
      LoadBalancer.SimpleLb policy = v.equals("LEAST_CONN") ? LoadBalancer.SimpleLb.LEAST_REQUEST
          : lb.req("simple").enumValue(LoadBalancer.SimpleLb.class, SIMPLE);
      return Optional.of(new LoadBalancer.Simple(policy));
    }
    if (hash) {
      At ch = lb.req("consistentHash");
      OptionalLong ring = OptionalLong.empty();
      if (ch.has("minimumRingSize")) {
        ring = OptionalLong.of(ch.req("minimumRingSize").integer(1, Integer.MAX_VALUE));
      }
      if (ch.has("ringHash") && ch.req("ringHash").has("minimumRingSize")) {
        ring = OptionalLong.of(ch.req("ringHash").req("minimumRingSize").integer(1, Integer.MAX_VALUE));
      }
      if (ch.has("ringHash") && ch.has("maglev")) {
        throw ch.error("ringHash and maglev cannot both be set");
      }
      LoadBalancer.HashAlgorithm algo = ch.has("maglev") ? LoadBalancer.HashAlgorithm.MAGLEV : LoadBalancer.HashAlgorithm.RING_HASH;
      return Optional.of(new LoadBalancer.ConsistentHash(algo, ring));
    }
    return Optional.empty();
  }

  /** The VirtualService, or empty (with a note) when it is bound to gateways only. */
  static Optional<ConfigObject> virtualService(Meta meta, At spec, List<Note> notes) throws ConfigException {
    List<String> hosts = spec.req("hosts").stringList();
    if (hosts.isEmpty()) {
      throw spec.req("hosts").error("must name at least one host");
    }
    if (!spec.optList("gateways").isEmpty() && spec.req("gateways").stringList().stream().noneMatch("mesh"::equals)) {
      notes.add(Note.warn(meta.id(), "spec.gateways names gateways only (no 'mesh'); not applied, gateways are not served"));
      return Optional.empty();
    }
    List<VirtualService.HttpRoute> http = new ArrayList<>();
    for (At r : spec.optList("http")) {
      List<VirtualService.HttpMatch> matches = new ArrayList<>();
      for (At m : r.optList("match")) {
        matches.add(httpMatch(m));
      }
      List<VirtualService.Destination> route = destinations(r);
      if (route.isEmpty()) {
        if (!r.has("redirect") && !r.has("directResponse") && !r.has("delegate")) {
          throw r.error("needs a route, redirect, directResponse or delegate (as Istio's validation requires)");
        }
        continue; // an L7 answer, noted by the field check
      }
      http.add(new VirtualService.HttpRoute(r.opt("name").isPresent() ? Optional.of(r.req("name").string()) : Optional.empty(), matches, route));
    }
    List<VirtualService.TcpRoute> tcp = new ArrayList<>();
    for (At r : spec.optList("tcp")) {
      List<Integer> ports = new ArrayList<>();
      for (At m : r.optList("match")) {
        if (m.has("port")) {
          ports.add(m.req("port").port());
        }
      }
      tcp.add(new VirtualService.TcpRoute(ports, destinations(r)));
    }
    return Optional.of(new VirtualService(meta, hosts, http, tcp));
  }

  private static VirtualService.HttpMatch httpMatch(At m) throws ConfigException {
    Optional<VirtualService.StringMatch> uri = m.has("uri") ? Optional.of(stringMatch(m.req("uri"))) : Optional.empty();
    Map<String, VirtualService.StringMatch> headers = new LinkedHashMap<>();
    if (m.has("headers")) {
      for (Map.Entry<String, At> h : m.req("headers").entries()) {
        headers.put(h.getKey(), stringMatch(h.getValue()));
      }
    }
    for (Map.Entry<String, String> p : PSEUDO_HEADERS.entrySet()) {
      if (m.has(p.getKey())) {
        headers.put(p.getValue(), stringMatch(m.req(p.getKey())));
      }
    }
    OptionalInt port = m.has("port") ? OptionalInt.of(m.req("port").port()) : OptionalInt.empty();
    return new VirtualService.HttpMatch(uri, headers, port);
  }

  private static VirtualService.StringMatch stringMatch(At at) throws ConfigException {
    List<VirtualService.StringMatch> found = new ArrayList<>();
    if (at.has("exact")) {
      found.add(new VirtualService.StringMatch.Exact(at.req("exact").string()));
    }
    if (at.has("prefix")) {
      found.add(new VirtualService.StringMatch.Prefix(at.req("prefix").string()));
    }
    if (at.has("regex")) {
      found.add(new VirtualService.StringMatch.Regex(at.req("regex").string()));
    }
    if (found.size() != 1) {
      throw at.error("expected exactly one of exact, prefix or regex");
    }
    return found.getFirst();
  }

  private static List<VirtualService.Destination> destinations(At route) throws ConfigException {
    List<VirtualService.Destination> out = new ArrayList<>();
    List<At> entries = route.optList("route");
    for (At d : entries) {
      At dest = d.req("destination");
      OptionalInt port = dest.has("port") ? OptionalInt.of(dest.req("port").req("number").port()) : OptionalInt.empty();
      int weight = d.has("weight") ? d.req("weight").integer(0, MAX_WEIGHT) : 0;
      Optional<String> subset = dest.has("subset") ? Optional.of(dest.req("subset").name()) : Optional.empty();
      out.add(new VirtualService.Destination(dest.req("host").name(), subset, port, weight));
    }
    if (out.size() > 1) {
      int total = out.stream().mapToInt(VirtualService.Destination::weight).sum();
      // Istio once required a total of 100; it now treats weights as relative, and so does Envoy.
      if (total == 0) {
        throw route.req("route").error("has several destinations and no weights (expected a weight on each, e.g. 80 and 20)");
      }
    }
    return out;
  }

  static DestinationPolicy destinationPolicy(Meta meta, At spec) throws ConfigException {
    At dest = spec.req("destination");
    String name = dest.req("name").name();
    String namespace = dest.has("namespace") ? dest.req("namespace").name() : meta.namespace();
    LoadBalancer.SimpleLb lb = switch (spec.req("loadBalancing").req("name").enumValue(Legacy.class, LEGACY)) {
      case ROUND_ROBIN -> LoadBalancer.SimpleLb.ROUND_ROBIN;
      case RANDOM -> LoadBalancer.SimpleLb.RANDOM;
      case LEAST_CONN -> LoadBalancer.SimpleLb.LEAST_REQUEST;
    };
    return new DestinationPolicy(meta, name, namespace, dest.optStringMap("labels"), lb);
  }

  /** v1alpha2's LoadBalancing.SimpleLBPolicy. */
  private enum Legacy {
    ROUND_ROBIN,
    RANDOM,
    LEAST_CONN
  }
}
