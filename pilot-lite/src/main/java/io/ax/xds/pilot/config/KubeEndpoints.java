package io.ax.xds.pilot.config;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Kubernetes' {@code Endpoints} and {@code EndpointSlice} objects, what its endpoint controllers
 * write for a Service's ready pods: here, endpoints of the Service they name beside its
 * WorkloadEntries and ax apps. Pod labels are not in them (Istio looks the pod up through
 * {@code targetRef}; no pods exist here), so DestinationRule subsets with labels do not select
 * them. Not-ready addresses are left out, as Istio leaves them out of EDS by default.
 */
final class KubeEndpoints {
  private KubeEndpoints() {}

  /** The label that names an EndpointSlice's Service. */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  /** {@code v1/Endpoints}: named like its Service; each subset's ready addresses serve the subset's ports. */
  static ServiceEndpoints endpoints(Meta meta, At doc, List<Note> notes) throws ConfigException {
    List<Workload> out = new ArrayList<>();
    for (At subset : doc.optList("subsets")) {
      Ports ports = ports(subset);
      for (At a : subset.optList("addresses")) {
        ipv4(meta, a.req("ip"), notes).ifPresent(ip -> out.add(new Workload(ip, Map.of(), ports.byName, 1, "", ports.numbers)));
      }
    }
    return new ServiceEndpoints(meta, meta.name(), out);
  }

  /** {@code discovery.k8s.io/v1 EndpointSlice}: its Service is its {@value #SERVICE_NAME_LABEL} label. */
  static Optional<ConfigObject> slice(Meta meta, At doc, List<Note> notes) throws ConfigException {
    String service = doc.req("metadata").optStringMap("labels").get(SERVICE_NAME_LABEL);
    if (service == null || service.isBlank()) {
      throw doc.req("metadata").error("an EndpointSlice needs the label " + SERVICE_NAME_LABEL + " naming its Service");
    }
    String type = doc.req("addressType").name();
    switch (type) {
      case "IPv4" -> {}
      case "IPv6", "FQDN" -> {
        notes.add(Note.warn(meta.id(), "addressType " + type + " is skipped: ax's backends are IPv4 addresses"));
        return Optional.empty();
      }
      default -> throw doc.req("addressType").error("unknown value '" + type + "' (expected IPv4, IPv6 or FQDN)");
    }
    Ports ports = ports(doc);
    List<Workload> out = new ArrayList<>();
    for (At e : doc.optList("endpoints")) {
      // conditions.ready: absent means ready (the API's "unknown state ... should be interpreted as ready").
      Optional<At> conditions = e.opt("conditions");
      if (conditions.isPresent() && conditions.get().opt("ready").isPresent() && conditions.get().req("ready").string().equals("false")) {
        continue;
      }
      String zone = e.optString("zone", "");
      for (String a : e.req("addresses").stringList()) {
        ipv4(meta, e.req("addresses"), a, notes).ifPresent(ip -> out.add(new Workload(ip, Map.of(), ports.byName, 1, zone.isEmpty() ? "" : "/" + zone, ports.numbers)));
      }
    }
    return Optional.of(new ServiceEndpoints(meta, service, out));
  }

  /** The ports of a subset or slice: by name (a single unnamed port has the name ""), and all the numbers. */
  private record Ports(Map<String, Integer> byName, Set<Integer> numbers) {}

  private static Ports ports(At parent) throws ConfigException {
    Map<String, Integer> byName = new LinkedHashMap<>();
    Set<Integer> numbers = new LinkedHashSet<>();
    for (At p : parent.optList("ports")) {
      String protocol = p.optString("protocol", "TCP");
      if (!protocol.equals("TCP")) {
        continue; // UDP and SCTP endpoints: the mesh's services are TCP
      }
      if (p.opt("port").isEmpty()) {
        continue; // no number is "every port" in the API: an endpoint with no numbered port serves any (Workload.listening empty)
      }
      int port = p.req("port").port();
      byName.put(p.optString("name", ""), port);
      numbers.add(port);
    }
    return new Ports(byName, numbers);
  }

  private static Optional<String> ipv4(Meta meta, At ip, List<Note> notes) throws ConfigException {
    return ipv4(meta, ip, ip.string().strip(), notes);
  }

  private static Optional<String> ipv4(Meta meta, At at, String v, List<Note> notes) throws ConfigException {
    if (!InetAddresses.isInetAddress(v)) {
      throw at.error("'" + v + "' is not an IP address");
    }
    if (!(InetAddresses.forString(v) instanceof Inet4Address)) {
      notes.add(Note.warn(meta.id(), "address " + v + " is IPv6; skipped, the mesh is IPv4"));
      return Optional.empty();
    }
    return Optional.of(v);
  }
}
