package io.ax.xds.pilot.mesh;

import com.google.common.net.InetAddresses;
import io.ax.xds.pilot.config.ConfigObject;
import io.ax.xds.pilot.config.DestinationPolicy;
import io.ax.xds.pilot.config.DestinationRule;
import io.ax.xds.pilot.config.KubeService;
import io.ax.xds.pilot.config.LoadBalancer;
import io.ax.xds.pilot.config.ServiceEndpoints;
import io.ax.xds.pilot.config.ServiceEntry;
import io.ax.xds.pilot.config.TrafficPolicy;
import io.ax.xds.pilot.config.VirtualService;
import io.ax.xds.pilot.config.Workload;
import io.ax.xds.pilot.config.WorkloadEntry;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Builds the {@link Mesh} from config objects given in precedence order (the first object wins
 * where two disagree; the directory puts the newest file first). Pure and deterministic.
 *
 * <p>Endpoints come from WorkloadEntries, as istiod takes them where no Kubernetes pods exist: a
 * WorkloadEntry is an endpoint of every Service (and ServiceEntry with a workloadSelector) of its
 * namespace whose selector its labels match. Endpoints and EndpointSlices add the endpoints they
 * list to the Service they name.
 */
public final class MeshBuilder {
  private MeshBuilder() {}

  public static Mesh build(List<ConfigObject> objects, MeshOptions options) {
    return build(objects, options, services(objects, options));
  }

  /**
   * The services of a mesh with their endpoints, and the notes on making them: what the Services,
   * ServiceEntries and WorkloadEntries make, before any rule applies. Immutable.
   */
  public record Services(SortedMap<String, MeshService> byHost, List<String> notes) {
    public Services {
      byHost = Collections.unmodifiableSortedMap(new TreeMap<>(byHost));
      notes = List.copyOf(notes);
    }
  }

  /** True for the objects {@link #services} reads: Services, ServiceEntries, WorkloadEntries, Endpoints and EndpointSlices. */
  static boolean definesServices(ConfigObject o) {
    return o instanceof KubeService || o instanceof ServiceEntry || o instanceof WorkloadEntry || o instanceof ServiceEndpoints;
  }

  /** The services of {@code objects} (only those for which {@link #definesServices} holds are read). */
  static Services services(List<ConfigObject> objects, MeshOptions options) {
    List<String> notes = new ArrayList<>();
    WorkloadIndex workloadsByNs = new WorkloadIndex(objects);

    Map<String, Draft> drafts = new LinkedHashMap<>();
    Set<String> taken = new HashSet<>();
    for (ConfigObject o : objects) {
      if ((o instanceof KubeService || o instanceof ServiceEntry) && !o.meta().visibleTo(options.proxyNamespace())) {
        notes.add(o.meta().id() + ": exportTo " + o.meta().exportTo() + " does not include namespace " + options.proxyNamespace()
            + " (the proxies'); not served");
        continue;
      }
      switch (o) {
        case KubeService s -> addService(s, options, workloadsByNs, drafts, taken, notes);
        case ServiceEntry se -> addServiceEntry(se, workloadsByNs, drafts, taken, notes);
        default -> {}
      }
    }
    List<String> needVip = drafts.values().stream().filter(d -> d.needsVip).map(d -> d.host).toList();
    Map<String, String> allocated = VipAllocator.allocate(needVip, taken);
    TreeMap<String, MeshService> services = new TreeMap<>();
    for (Draft d : drafts.values()) {
      Optional<String> vip = d.needsVip ? Optional.of(allocated.get(d.host)) : d.vip;
      services.put(d.host, new MeshService(d.host, d.namespace, vip, d.ports, d.discovery, d.endpoints, d.source));
    }
    return new Services(services, notes);
  }

  /** The mesh of {@code services} (made from the same {@code objects}) with the rules of {@code objects} applied. */
  static Mesh build(List<ConfigObject> objects, MeshOptions options, Services services) {
    List<String> notes = new ArrayList<>(services.notes());
    Set<String> hosts = services.byHost().keySet();
    return new Mesh(services.byHost(), rules(objects, services.byHost(), options, notes), virtualServices(objects, hosts, options, notes), notes, options);
  }

  /** A service before vIP allocation. */
  private record Draft(
      String host, String namespace, Optional<String> vip, boolean needsVip, List<MeshService.Port> ports,
      MeshService.Discovery discovery, List<Workload> endpoints, String source) {}

  private static void addService(
      KubeService s, MeshOptions options, WorkloadIndex workloads, Map<String, Draft> drafts, Set<String> taken, List<String> notes) {
    String host = Hosts.ofService(s.meta().name(), s.meta().namespace(), options.domainSuffix());
    if (drafts.containsKey(host)) {
      notes.add(s.meta().id() + " (" + s.meta().source() + "): host " + host + " is already defined by " + drafts.get(host).source + "; ignored");
      return;
    }
    List<MeshService.Port> ports = new ArrayList<>();
    for (KubeService.ServicePort p : s.ports()) {
      ports.add(new MeshService.Port(p.port(), p.name(), Protocol.of(p.name(), p.appProtocol(), p.protocol()), p.targetPort()));
    }
    // Pods it selects (WorkloadEntries, ax apps), and the Endpoints/EndpointSlices that name it, as Kubernetes' controllers would write them.
    List<Workload> endpoints = new ArrayList<>(workloads.select(s.meta().namespace(), s.selector()));
    endpoints.addAll(workloads.ofService(s.meta().namespace(), s.meta().name()));
    Optional<String> vip = Optional.empty();
    boolean needsVip = false;
    switch (s.clusterIp()) {
      case KubeService.ClusterIp.Address a -> {
        vip = Optional.of(a.ip());
        taken.add(a.ip());
      }
      case KubeService.ClusterIp.Headless h -> {}
      case KubeService.ClusterIp.Unset u -> needsVip = true;
    }
    drafts.put(host, new Draft(host, s.meta().namespace(), vip, needsVip, ports, MeshService.Discovery.EDS, endpoints, s.meta().source()));
  }

  private static void addServiceEntry(
      ServiceEntry se, WorkloadIndex workloads, Map<String, Draft> drafts, Set<String> taken, List<String> notes) {
    Optional<String> address = Optional.empty();
    if (!se.addresses().isEmpty()) {
      String a = se.addresses().getFirst();
      String ip = a.endsWith("/32") ? a.substring(0, a.length() - 3) : a;
      if (InetAddresses.isInetAddress(ip) && InetAddresses.forString(ip) instanceof Inet4Address) {
        address = Optional.of(ip);
        taken.add(ip);
      } else {
        notes.add(se.meta().id() + ": address " + a + " is not a single IPv4 address; a vIP is allocated instead");
      }
    }
    MeshService.Discovery discovery = switch (se.resolution()) {
      case STATIC -> MeshService.Discovery.EDS;
      case DNS -> MeshService.Discovery.DNS;
      case DNS_ROUND_ROBIN -> MeshService.Discovery.DNS_ROUND_ROBIN;
      case NONE -> MeshService.Discovery.PASSTHROUGH;
    };
    List<MeshService.Port> ports = new ArrayList<>();
    for (ServiceEntry.Port p : se.ports()) {
      KubeService.TargetPort target = p.targetPort() == 0 ? new KubeService.TargetPort.Same() : new KubeService.TargetPort.Number(p.targetPort());
      ports.add(new MeshService.Port(p.number(), p.name(), Protocol.of(p.name(), "", p.protocol()), target));
    }
    List<Workload> endpoints = se.workloadSelector()
        .map(sel -> sel.isEmpty() ? workloads.all(se.meta().namespace()) : workloads.select(se.meta().namespace(), sel))
        .orElse(se.endpoints());
    for (String rawHost : se.hosts()) {
      String host = rawHost.toLowerCase(Locale.ROOT);
      if (host.startsWith("*")) {
        notes.add(se.meta().id() + ": wildcard host " + host + " has no single address; not served");
        continue;
      }
      if (drafts.containsKey(host)) {
        notes.add(se.meta().id() + " (" + se.meta().source() + "): host " + host + " is already defined by " + drafts.get(host).source + "; ignored");
        continue;
      }
      List<Workload> hostEndpoints = endpoints;
      if (discovery != MeshService.Discovery.EDS && endpoints.isEmpty() && discovery != MeshService.Discovery.PASSTHROUGH) {
        // A DNS ServiceEntry without endpoints resolves its own host, as istiod does.
        hostEndpoints = List.of(new Workload(host, Map.of(), Map.of(), 1, ""));
      }
      // resolution NONE without addresses gets no vIP: the host must keep resolving upstream so the
      // app connects where DNS says, as ORIGINAL_DST passes it through. DNS hosts get one, as
      // Istio's DNS auto-allocation gives them: the daemon answers the name and the agent resolves
      // the real addresses as Envoy's STRICT_DNS cluster would.
      boolean needsVip = address.isEmpty() && discovery != MeshService.Discovery.PASSTHROUGH;
      drafts.put(host, new Draft(host, se.meta().namespace(), address, needsVip, ports, discovery, hostEndpoints, se.meta().source()));
    }
  }

  private static Map<String, HostRules> rules(
      List<ConfigObject> objects, SortedMap<String, MeshService> services, MeshOptions options, List<String> notes) {
    Set<String> hosts = services.keySet();
    Map<String, TrafficPolicy> policies = new HashMap<>();
    Map<String, LinkedHashMap<String, DestinationRule.Subset>> subsets = new HashMap<>();
    Set<String> unknown = new TreeSet<>();
    String client = options.proxyNamespace();
    // The DestinationRules the client sees, by namespace, in precedence order.
    Map<String, List<DestinationRule>> byNamespace = new HashMap<>();
    Map<DestinationRule, String> patterns = new HashMap<>();
    for (ConfigObject o : objects) {
      if (!(o instanceof DestinationRule dr)) {
        continue;
      }
      if (!dr.meta().visibleTo(client)) {
        notes.add(dr.meta().id() + ": exportTo " + dr.meta().exportTo() + " does not include namespace " + client + " (the proxies'); not applied");
        continue;
      }
      String pattern = Hosts.resolve(dr.host(), dr.meta().namespace(), options.domainSuffix());
      patterns.put(dr, pattern);
      byNamespace.computeIfAbsent(dr.meta().namespace(), k -> new ArrayList<>()).add(dr);
      if (pattern.startsWith("*") ? hosts.stream().noneMatch(h -> Hosts.matches(pattern, h)) : !hosts.contains(pattern)) {
        unknown.add(dr.meta().id() + " (host " + pattern + ")");
      }
    }
    Set<DestinationRule> used = new HashSet<>();
    for (String host : hosts) {
      // Istio's lookup: the client's namespace, then the service's, then the root namespace; in
      // the first that has a rule for the host, the most specific host wins (exact before wildcard).
      for (String ns : new LinkedHashSet<>(List.of(client, services.get(host).namespace(), options.rootNamespace()))) {
        List<DestinationRule> candidates = byNamespace.getOrDefault(ns, List.of());
        Optional<String> best = DestinationRuleLookup.mostSpecific(host, candidates.stream().map(patterns::get).toList());
        if (best.isEmpty()) {
          continue;
        }
        // Rules of one namespace for the same host merge: the first one's policy, every subset once.
        for (DestinationRule dr : candidates) {
          if (!patterns.get(dr).equals(best.get())) {
            continue;
          }
          used.add(dr);
          if (dr.trafficPolicy().setsAnything()) {
            policies.putIfAbsent(host, dr.trafficPolicy());
          }
          LinkedHashMap<String, DestinationRule.Subset> byName = subsets.computeIfAbsent(host, k -> new LinkedHashMap<>());
          for (DestinationRule.Subset sub : dr.subsets()) {
            byName.putIfAbsent(sub.name(), sub);
          }
        }
        break;
      }
    }
    for (List<DestinationRule> drs : byNamespace.values()) {
      for (DestinationRule dr : drs) {
        if (!used.contains(dr) && !unknown.contains(dr.meta().id() + " (host " + patterns.get(dr) + ")")) {
          notes.add(dr.meta().id() + ": not applied: for each of its hosts another DestinationRule comes first (Istio's lookup: namespace "
              + client + " of the proxies, then the service's, then " + options.rootNamespace() + "; an exact host before a wildcard)");
        }
      }
    }
    // Legacy DestinationPolicies come after every DestinationRule: the newer API wins.
    for (ConfigObject o : objects) {
      if (!(o instanceof DestinationPolicy dp)) {
        continue;
      }
      String host = Hosts.resolve(dp.destinationName(), dp.destinationNamespace(), options.domainSuffix());
      if (!hosts.contains(host)) {
        unknown.add(dp.meta().id() + " (host " + host + ")");
        continue;
      }
      TrafficPolicy tp = new TrafficPolicy(Optional.of(new LoadBalancer.Simple(dp.policy())), Map.of());
      if (dp.labels().isEmpty()) {
        policies.putIfAbsent(host, tp);
      } else {
        String name = legacySubsetName(dp.labels());
        subsets.computeIfAbsent(host, k -> new LinkedHashMap<>()).putIfAbsent(name, new DestinationRule.Subset(name, dp.labels(), tp));
      }
    }
    for (String u : unknown) {
      notes.add(u + ": no such service; not applied");
    }
    Map<String, HostRules> out = new HashMap<>();
    for (String host : hosts) {
      TrafficPolicy p = policies.getOrDefault(host, TrafficPolicy.NONE);
      List<DestinationRule.Subset> s = List.copyOf(subsets.getOrDefault(host, new LinkedHashMap<>()).values());
      if (p != TrafficPolicy.NONE || !s.isEmpty()) {
        out.put(host, new HostRules(p, s));
      }
    }
    return out;
  }

  /** A legacy policy's destination labels as a subset name: {@code version: v1} is {@code version-v1}. */
  static String legacySubsetName(Map<String, String> labels) {
    return new TreeMap<>(labels).entrySet().stream()
        .map(e -> (e.getKey() + "-" + e.getValue()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-"))
        .collect(Collectors.joining("-"));
  }

  private static Map<String, VirtualService> virtualServices(List<ConfigObject> objects, Set<String> hosts, MeshOptions options, List<String> notes) {
    Map<String, VirtualService> out = new HashMap<>();
    for (ConfigObject o : objects) {
      if (!(o instanceof VirtualService vs)) {
        continue;
      }
      if (!vs.meta().visibleTo(options.proxyNamespace())) {
        notes.add(vs.meta().id() + ": exportTo " + vs.meta().exportTo() + " does not include namespace " + options.proxyNamespace() + " (the proxies'); not applied");
        continue;
      }
      for (String h : vs.hosts()) {
        String host = Hosts.resolve(h, vs.meta().namespace(), options.domainSuffix());
        if (!hosts.contains(host)) {
          notes.add(vs.meta().id() + ": host " + host + " is not a service; not applied to it");
        } else if (out.putIfAbsent(host, vs) != null && out.get(host) != vs) {
          notes.add(vs.meta().id() + ": host " + host + " already has " + out.get(host).meta().id() + "; ignored for it");
        }
      }
    }
    return out;
  }
}
