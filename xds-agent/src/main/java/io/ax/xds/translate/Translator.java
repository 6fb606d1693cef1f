package io.ax.xds.translate;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.OutlierDetection;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.Resilience;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.VService;
import io.ax.xds.resource.ClusterResilience;
import io.ax.xds.resource.ClusterResource;
import io.ax.xds.resource.ClusterWeight;
import io.ax.xds.resource.DiscoveryType;
import io.ax.xds.resource.EndpointResource;
import io.ax.xds.resource.IstioClusterName;
import io.ax.xds.resource.L7Feature;
import io.ax.xds.resource.LbEndpoint;
import io.ax.xds.resource.PathMatch;
import io.ax.xds.resource.Route;
import io.ax.xds.resource.RouteAction;
import io.ax.xds.resource.RouteMatch;
import io.ax.xds.resource.VirtualHost;
import io.ax.xds.resource.XdsAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns Istio-shaped xDS resources into the daemon's vservices. Pure and deterministic: the same
 * snapshot gives the same vservices (sorted by name) and notes, in time linear in its size.
 *
 * <p>The rules (the README's "Translation" section has the table): each outbound default cluster
 * {@code outbound|PORT||HOST} with a vIP becomes the vservice {@link VServiceNames#of(String, int)
 * HOST-PORT} on {@code vIP:PORT}. The vIP comes from a listener named {@code VIP_PORT} that serves
 * the host's clusters, else from an IP domain of the host's virtual host. Backends are the usable
 * (HEALTHY or UNKNOWN) IPv4 endpoints of the highest priority that has any, with their weights.
 * The first route of the host's virtual host that catches every request decides (for a TCP
 * service without one, the tcp_proxy of its {@code VIP_PORT} listener): a weighted_clusters split
 * or another cluster becomes {@code subsets}; the default cluster gives plain backends. Everything ax cannot do at connect() time is reported in the notes, never
 * dropped silently.
 */
public final class Translator {
  private Translator() {}

  private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
  /** Routes listed by name in one note; the rest are counted. */
  private static final int ROUTES_SHOWN = 3;

  public static Translation translate(XdsSnapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    return new Run(snapshot).translate();
  }

  /** One translation: the snapshot, its index, and what it has produced so far. Confined to the calling thread. */
  private static final class Run {
    private final XdsSnapshot snapshot;
    private final Notes notes = new Notes();
    private final SnapshotIndex index;
    private final Set<String> usedClusters = new HashSet<>();
    private final TreeMap<String, VService> byName = new TreeMap<>();
    private final Map<String, String> byVipPort = new HashMap<>();

    Run(XdsSnapshot snapshot) {
      this.snapshot = snapshot;
      this.index = new SnapshotIndex(snapshot, notes);
    }

    Translation translate() {
      if (snapshot.clusters().isEmpty() && !snapshot.endpoints().isEmpty()) {
        notes.general("the snapshot has endpoints but no clusters: a vservice needs an outbound cluster (CDS) and a vIP (LDS or RDS)");
      }
      index.services.forEach(this::service);
      for (SnapshotIndex.Service s : index.services.values()) {
        for (ClusterResource c : s.subsets.values()) {
          if (!usedClusters.contains(c.name())) {
            notes.summary(Notes.Summary.UNROUTED_SUBSET, c.name());
          }
        }
      }
      Set<String> subscribed = new HashSet<>();
      snapshot.clusters().values().forEach(c -> c.edsServiceName().ifPresent(subscribed::add));
      for (String eds : snapshot.endpoints().keySet()) {
        if (!subscribed.contains(eds)) {
          notes.summary(Notes.Summary.UNUSED_ENDPOINTS, eds);
        }
      }
      return new Translation(List.copyOf(byName.values()), notes.render());
    }

    private void service(ServicePort hp, SnapshotIndex.Service s) {
      ClusterResource def = s.defaultCluster;
      if (def == null) {
        return; // subsets of a service without a default cluster: reported as unrouted
      }
      if (def.discoveryType() == DiscoveryType.ORIGINAL_DST) {
        notes.summary(Notes.Summary.ORIGINAL_DST, def.name());
        return;
      }
      String name = VServiceNames.of(hp.host(), hp.port());
      Optional<String> vip = vip(hp, name);
      if (vip.isEmpty()) {
        notes.summary(Notes.Summary.NO_VIP, def.name());
        return;
      }
      usedClusters.add(def.name());
      VService.Builder vs = VService.newBuilder()
          .setName(name)
          .setIp(vip.get())
          .setLbType(lbType(def, name))
          .addPorts(PortMapping.newBuilder().setVport(hp.port()).setAppPort(hp.port()));
      String host = hp.host().toLowerCase(Locale.ROOT);
      if (DNS_NAME.matcher(host).matches()) {
        vs.addHostnames(host);
      } else {
        notes.service(name, "host " + hp.host() + " is not a DNS name (a wildcard?): no DNS name is served for it");
      }
      Map<String, Split> split = decide(hp, def, name);
      if (split.isEmpty()) {
        vs.addAllBackends(backends(def, name));
        resilience(def).ifPresent(vs::setResilience);
      } else {
        split.forEach((subset, w) -> {
          Subset.Builder sb = Subset.newBuilder()
              .setName(subset)
              .setWeight(w.weight)
              .setLbType(lbType(w.cluster, name))
              .addAllBackends(backends(w.cluster, name));
          resilience(w.cluster).ifPresent(sb::setResilience);
          vs.addSubsets(sb);
        });
      }
      if (byName.containsKey(name)) {
        notes.service(name, "the name is taken by another host's vservice; " + hp + " is left out");
        return;
      }
      String vipPort = vip.get() + ":" + hp.port();
      String clash = byVipPort.putIfAbsent(vipPort, name);
      if (clash != null) {
        notes.service(name, vipPort + " is already served by " + clash + ": left out");
        return;
      }
      byName.put(name, vs.build());
    }

    /** A listener's vIP first (the address Envoy itself binds), then a virtual host's IP domain. */
    private Optional<String> vip(ServicePort hp, String name) {
      TreeSet<String> all = new TreeSet<>();
      TreeSet<String> fromListeners = index.listenerVips.getOrDefault(hp, new TreeSet<>());
      all.addAll(fromListeners);
      all.addAll(index.domainVips.getOrDefault(hp, new TreeSet<>()));
      if (all.isEmpty()) {
        return Optional.empty();
      }
      String chosen = fromListeners.isEmpty() ? all.first() : fromListeners.first();
      if (all.size() > 1) {
        notes.service(name, "has vIPs " + String.join(", ", all) + "; using " + chosen);
      }
      return Optional.of(chosen);
    }

    /** One subset: the cluster it takes backends and policy from, and its weight. */
    private record Split(ClusterResource cluster, int weight) {}

    /**
     * The catch-all route of the host's virtual host: an empty map for plain backends of the
     * default cluster, else the subsets by name in route order.
     */
    private Map<String, Split> decide(ServicePort hp, ClusterResource def, String name) {
      VirtualHost vh = index.vhosts.get(hp);
      if (vh == null) {
        List<ClusterWeight> tcp = index.tcpRoutes.get(hp);
        return tcp == null ? Map.of() : weighted(hp, def, name, tcp);
      }
      Route catchAll = null;
      List<String> ignored = new ArrayList<>();
      Set<L7Feature> features = EnumSet.noneOf(L7Feature.class);
      for (Route r : vh.routes()) {
        features.addAll(r.features());
        if (r.match().catchesAll()) {
          catchAll = r;
          break;
        }
        ignored.add(describe(r));
      }
      reportL7(name, ignored, features);
      if (catchAll == null) {
        if (!vh.routes().isEmpty()) {
          notes.service(name, "no route of virtual host " + vh.name() + " catches every request; using " + def.name());
        }
        return Map.of();
      }
      return switch (catchAll.action()) {
        case RouteAction.ToCluster(String c) -> c.equals(def.name()) ? Map.of() : weighted(hp, def, name, List.of(new ClusterWeight(c, 100)));
        case RouteAction.Weighted(List<ClusterWeight> cs) -> weighted(hp, def, name, cs);
        case RouteAction.FromHeader(String header) -> {
          notes.service(name, "the catch-all route takes its cluster from request header " + header + ", unknown at connect(); using " + def.name());
          yield Map.of();
        }
        case RouteAction.Other(String kind) -> {
          notes.service(name, "the catch-all route is a " + kind + ", not a forward; using " + def.name());
          yield Map.of();
        }
      };
    }

    private Map<String, Split> weighted(ServicePort hp, ClusterResource def, String name, List<ClusterWeight> entries) {
      // By cluster first: two entries for one cluster add up; names are given after.
      LinkedHashMap<String, ClusterResource> clusters = new LinkedHashMap<>();
      Map<String, Long> weights = new HashMap<>();
      for (ClusterWeight w : entries) {
        if (w.weight() == 0) {
          continue; // never chosen
        }
        ClusterResource c = snapshot.clusters().get(w.cluster());
        if (c == null || c.discoveryType() == DiscoveryType.ORIGINAL_DST) {
          notes.service(name, "route to " + w.cluster() + (c == null ? ", which CDS does not have," : ", an ORIGINAL_DST cluster,") + " is left out");
          continue;
        }
        usedClusters.add(c.name());
        clusters.putIfAbsent(c.name(), c);
        weights.merge(c.name(), Integer.toUnsignedLong(w.weight()), Long::sum);
      }
      if (clusters.size() == 1 && clusters.values().iterator().next() == def) {
        return Map.of();
      }
      if (clusters.isEmpty()) {
        notes.service(name, "no cluster of the catch-all route can be used; using " + def.name());
        return Map.of();
      }
      long[] raw = clusters.keySet().stream().mapToLong(weights::get).toArray();
      if (Weights.needsScaling(raw)) {
        notes.service(name, "split weights above " + Weights.MAX + " are scaled down in proportion");
      }
      int[] scaled = Weights.scale(raw);
      LinkedHashMap<String, Split> out = new LinkedHashMap<>();
      int i = 0;
      for (ClusterResource c : clusters.values()) {
        out.put(VServiceNames.uniqueSubset(subsetName(hp, def, c), out.keySet()), new Split(c, scaled[i++]));
      }
      return out;
    }

    /** A subset of the same service keeps its DestinationRule name (v1); another host's cluster is named like its vservice. */
    private static String subsetName(ServicePort hp, ClusterResource def, ClusterResource c) {
      if (c == def) {
        return "default";
      }
      Optional<IstioClusterName> n = c.istioName();
      if (n.isPresent() && n.get().host().equals(hp.host()) && n.get().port() == hp.port() && n.get().isSubset()) {
        String s = VServiceNames.dnsName(n.get().subset().toLowerCase(Locale.ROOT));
        return s.isEmpty() ? "subset" : s;
      }
      return n.map(i -> VServiceNames.of(i.host(), i.port()) + (i.isSubset() ? "-" + VServiceNames.dnsName(i.subset().toLowerCase(Locale.ROOT)) : ""))
          .orElse(VServiceNames.dnsName(c.name().toLowerCase(Locale.ROOT)));
    }

    private void reportL7(String name, List<String> ignored, Set<L7Feature> features) {
      if (features.remove(L7Feature.RETRIES)) {
        notes.summary(Notes.Summary.RETRIES, name);
      }
      List<String> parts = new ArrayList<>();
      if (!ignored.isEmpty()) {
        String shown = ignored.stream().limit(ROUTES_SHOWN).collect(Collectors.joining("; "));
        parts.add(ignored.size() + " route(s) " + shown + (ignored.size() > ROUTES_SHOWN ? " and " + (ignored.size() - ROUTES_SHOWN) + " more" : ""));
      }
      features.forEach(f -> parts.add(f.description()));
      if (!parts.isEmpty()) {
        notes.service(name, "ignored L7 rules (ax picks a backend once per connection, at connect()): " + String.join("; ", parts));
      }
    }

    private static String describe(Route r) {
      RouteMatch m = r.match();
      List<String> on = new ArrayList<>();
      if (!(m.path() instanceof PathMatch.Prefix(String p)) || !(p.isEmpty() || p.equals("/"))) {
        on.add(m.path().display());
      }
      if (!m.headers().isEmpty()) {
        on.add("headers " + m.headers());
      }
      if (!m.queryParameters().isEmpty()) {
        on.add("query parameters " + m.queryParameters());
      }
      on.addAll(m.otherConditions());
      String target = switch (r.action()) {
        case RouteAction.ToCluster(String c) -> c;
        case RouteAction.Weighted(List<ClusterWeight> cs) -> cs.stream().map(w -> w.cluster() + "=" + w.weight()).collect(Collectors.joining(" ", "[", "]"));
        case RouteAction.FromHeader(String h) -> "the cluster in header " + h;
        case RouteAction.Other(String kind) -> kind;
      };
      return (r.name().isEmpty() ? "" : "'" + r.name() + "' ") + "matching " + String.join(", ", on) + " (to " + target + ")";
    }

    /**
     * The cluster's connect timeout, connection limit and outlier detection, as the daemon's
     * {@code Resilience} (each subset of a split has its own cluster's); empty when it asks for
     * nothing.
     */
    // What the daemon takes as a locality part (Kubernetes' topology label values).
    private static final Pattern LOCALITY_PART = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?|");

    /** {@code region/zone/subzone} without trailing empty parts; empty when unknown or not one the daemon takes. */
    static String locality(io.ax.xds.resource.Locality l) {
      if (!LOCALITY_PART.matcher(l.region()).matches() || !LOCALITY_PART.matcher(l.zone()).matches() || !LOCALITY_PART.matcher(l.subZone()).matches()) {
        return "";
      }
      if (!l.subZone().isEmpty()) {
        return l.region() + "/" + l.zone() + "/" + l.subZone();
      }
      return l.zone().isEmpty() ? l.region() : l.region() + "/" + l.zone();
    }

    private static Optional<Resilience> resilience(ClusterResource c) {
      ClusterResilience r = c.resilience();
      if (r.equals(ClusterResilience.NONE)) {
        return Optional.empty();
      }
      Resilience.Builder b = Resilience.newBuilder();
      r.connectTimeout().ifPresent(d -> b.setConnectTimeoutMs((int) d.toMillis()));
      r.maxConnections().ifPresent(n -> b.setMaxConnections((int) n));
      if (r.localityLb().getMode() != io.ax.admin.v1.LocalityMode.LOCALITY_OFF) {
        b.setLocalityLb(r.localityLb());
      }
      r.outlier().ifPresent(o -> b.setOutlierDetection(OutlierDetection.newBuilder()
          .setConsecutiveFailures(o.consecutiveFailures())
          .setBaseEjectionMs((int) o.baseEjectionTime().toMillis())
          // 0 on the wire is the default (10%): Istio's 0% ejects at most one, as 1% does.
          .setMaxEjectionPercent(Math.max(1, o.maxEjectionPercent()))));
      return Optional.of(b.build());
    }

    private LbType lbType(ClusterResource c, String name) {
      Optional<LbType> t = LbTypes.of(c.lbPolicy());
      if (t.isEmpty()) {
        notes.service(name, c.name() + " has lb policy " + c.lbPolicy() + ", which ax does not have; using RoundRobin");
      }
      return t.orElse(LbType.ROUND_ROBIN);
    }

    /** The usable IPv4 endpoints of the highest priority that has any, deduplicated by ip:port. */
    private List<Backend> backends(ClusterResource c, String name) {
      List<LbEndpoint> endpoints;
      if (c.edsServiceName().isPresent()) {
        EndpointResource e = snapshot.endpoints().get(c.edsServiceName().get());
        if (e == null) {
          notes.summary(Notes.Summary.NO_ENDPOINTS, c.name());
          return List.of();
        }
        endpoints = e.endpoints();
      } else {
        endpoints = c.inlineEndpoints();
      }
      int priority = Integer.MAX_VALUE;
      for (LbEndpoint e : endpoints) {
        if (e.health().usable()) {
          priority = Math.min(priority, e.priority());
        }
      }
      Map<String, LbEndpoint> usable = new LinkedHashMap<>();
      List<String> left = new ArrayList<>();
      for (LbEndpoint e : endpoints) {
        if (!e.health().usable() || e.priority() != priority) {
          continue;
        }
        if (e.address() instanceof XdsAddress.Ipv4(String ip, int port)) {
          usable.putIfAbsent(ip + ":" + port, e);
        } else {
          left.add(e.address().display());
        }
      }
      long[] raw = usable.values().stream().mapToLong(e -> Integer.toUnsignedLong(e.weight())).toArray();
      if (Weights.needsScaling(raw)) {
        notes.service(name, "endpoint weights of " + c.name() + " above " + Weights.MAX + " are scaled down in proportion");
      }
      int[] scaled = Weights.scale(raw);
      List<Backend> out = new ArrayList<>(usable.size());
      int i = 0;
      for (LbEndpoint e : usable.values()) {
        XdsAddress.Ipv4 a = (XdsAddress.Ipv4) e.address();
        out.add(Backend.newBuilder().setIp(a.ip()).setPort(a.port()).setWeight(scaled[i++]).setLocality(locality(e.locality())).build());
      }
      if (!left.isEmpty()) {
        notes.service(name, "left out " + left.size() + " endpoint(s) of " + c.name() + " that are not IPv4 addresses (ax backends are): "
            + left.stream().limit(Notes.SHOWN).collect(Collectors.joining(", ")) + (left.size() > Notes.SHOWN ? " ..." : ""));
      }
      return List.copyOf(out);
    }
  }
}
