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
 * Parses one config file (multi-document YAML, or JSON) into {@link ConfigObject}s. The whole file
 * is refused on the first error, so a half-edited file never half-applies: the caller keeps the
 * file's last good objects. Stateless and thread-safe.
 *
 * <p>Known kinds: {@code v1 Service}; {@code networking.istio.io} (v1, v1beta1, v1alpha3)
 * ServiceEntry, WorkloadEntry, DestinationRule, VirtualService; {@code config.istio.io/v1alpha2}
 * DestinationPolicy; and {@code v1 List} of those. Every other kind is returned in
 * {@link Parsed#ignoredKinds()} for the caller to report. Fields Istio has and pilot-lite does not
 * model (connection pools, retries, TLS...) are accepted and not used; a value pilot-lite reads
 * that is of the wrong type or unknown is an error.
 */
public final class ConfigParser {
  static final List<String> NETWORKING_VERSIONS = List.of("v1", "v1beta1", "v1alpha3");
  static final String DEFAULT_NAMESPACE = "default";

  private ConfigParser() {}

  /**
   * What a file holds.
   *
   * @param ignoredKinds kinds that pilot-lite does not serve, as {@code apiVersion/kind}
   * @param notes parts of known kinds that are accepted but have no effect, one line each
   */
  public record Parsed(List<ConfigObject> objects, Set<String> ignoredKinds, List<String> notes) {
    public Parsed {
      objects = List.copyOf(objects);
      ignoredKinds = Set.copyOf(ignoredKinds);
      notes = List.copyOf(notes);
    }
  }

  /**
   * @param source the file's name, used in {@link Meta#source()}
   * @throws ConfigException naming the line and what is wrong
   */
  public static Parsed parse(String source, byte[] content, Yaml.Format format) throws ConfigException {
    List<ConfigObject> objects = new ArrayList<>();
    Set<String> ignored = new LinkedHashSet<>();
    List<String> notes = new ArrayList<>();
    for (Node doc : Yaml.documents(content, format)) {
      document(source, At.root(doc), objects, ignored, notes);
    }
    return new Parsed(objects, ignored, notes);
  }

  private static void document(String source, At doc, List<ConfigObject> out, Set<String> ignored, List<String> notes)
      throws ConfigException {
    String apiVersion = doc.req("apiVersion").name();
    String kind = doc.req("kind").name();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    switch (group) {
      case "" -> {
        switch (kind) {
          case "Service" -> kubeService(source, doc, notes).ifPresent(out::add);
          case "List" -> {
            for (At item : doc.optList("items")) {
              document(source, item, out, ignored, notes);
            }
          }
          default -> ignored.add(apiVersion + "/" + kind);
        }
      }
      case "networking.istio.io" -> {
        boolean known = switch (kind) {
          case "ServiceEntry", "WorkloadEntry", "DestinationRule", "VirtualService" -> true;
          default -> false;
        };
        if (!known) {
          ignored.add(apiVersion + "/" + kind);
          return;
        }
        if (!NETWORKING_VERSIONS.contains(version)) {
          throw doc.req("apiVersion").error("unsupported version '" + apiVersion + "' of " + kind
              + " (expected networking.istio.io/ v1, v1beta1 or v1alpha3)");
        }
        Meta meta = meta(source, doc, kind);
        At spec = doc.req("spec");
        out.add(switch (kind) {
          case "ServiceEntry" -> serviceEntry(meta, spec);
          case "WorkloadEntry" -> new WorkloadEntry(meta, workload(spec, Address.IPV4));
          case "DestinationRule" -> RuleParser.destinationRule(meta, spec);
          default -> RuleParser.virtualService(meta, spec, notes);
        });
      }
      case "config.istio.io" -> {
        if (kind.equals("DestinationPolicy") && version.equals("v1alpha2")) {
          out.add(RuleParser.destinationPolicy(meta(source, doc, kind), doc.req("spec")));
        } else {
          ignored.add(apiVersion + "/" + kind);
        }
      }
      default -> ignored.add(apiVersion + "/" + kind);
    }
  }

  static Meta meta(String source, At doc, String kind) throws ConfigException {
    At metadata = doc.req("metadata");
    String name = metadata.req("name").name();
    String namespace = metadata.opt("namespace").isPresent() ? metadata.req("namespace").name() : DEFAULT_NAMESPACE;
    return new Meta(kind, name, namespace, source + ":" + doc.line());
  }

  private static Optional<ConfigObject> kubeService(String source, At doc, List<String> notes) throws ConfigException {
    Meta meta = meta(source, doc, "Service");
    At spec = doc.req("spec");
    String type = spec.opt("type").isPresent() ? spec.req("type").name() : "ClusterIP";
    switch (type) {
      case "ClusterIP", "NodePort", "LoadBalancer" -> {}
      case "ExternalName" -> {
        notes.add(meta.id() + ": type ExternalName is not served (it is a DNS alias, not a service with endpoints)");
        return Optional.empty();
      }
      default -> throw spec.req("type").error("unknown value '" + type + "' (expected ClusterIP, NodePort, LoadBalancer or ExternalName)");
    }
    KubeService.ClusterIp clusterIp = new KubeService.ClusterIp.Unset();
    Optional<At> ip = spec.opt("clusterIP");
    if (ip.isPresent() && !ip.get().string().isBlank()) {
      String v = ip.get().string().strip();
      clusterIp = v.equals("None") ? new KubeService.ClusterIp.Headless() : new KubeService.ClusterIp.Address(ipv4(ip.get()));
    }
    List<KubeService.ServicePort> ports = new ArrayList<>();
    List<At> portNodes = spec.req("ports").list();
    for (At p : portNodes) {
      String name = p.opt("name").isPresent() ? p.req("name").string() : "";
      if (name.isEmpty() && portNodes.size() > 1) {
        throw p.error("name is required when a Service has more than one port");
      }
      int port = p.req("port").port();
      KubeService.TargetPort target = new KubeService.TargetPort.Same();
      Optional<At> t = p.opt("targetPort");
      if (t.isPresent()) {
        String text = t.get().string();
        target = text.chars().allMatch(Character::isDigit) ? new KubeService.TargetPort.Number(t.get().port())
            : new KubeService.TargetPort.Named(t.get().name());
      }
      String protocol = p.opt("protocol").isPresent() ? p.req("protocol").name() : "TCP";
      if (!List.of("TCP", "UDP", "SCTP").contains(protocol)) {
        throw p.req("protocol").error("unknown value '" + protocol + "' (expected TCP, UDP or SCTP)");
      }
      String appProtocol = p.opt("appProtocol").isPresent() ? p.req("appProtocol").name() : "";
      ports.add(new KubeService.ServicePort(name, port, target, protocol, appProtocol));
    }
    Map<String, String> selector = spec.opt("selector").isPresent() ? spec.req("selector").stringMap() : Map.of();
    return Optional.of(new KubeService(meta, clusterIp, ports, selector));
  }

  private static ServiceEntry serviceEntry(Meta meta, At spec) throws ConfigException {
    List<String> hosts = spec.req("hosts").stringList();
    if (hosts.isEmpty()) {
      throw spec.req("hosts").error("must name at least one host");
    }
    List<String> addresses = spec.opt("addresses").isPresent() ? spec.req("addresses").stringList() : List.of();
    List<ServiceEntry.Port> ports = new ArrayList<>();
    for (At p : spec.req("ports").list()) {
      ports.add(new ServiceEntry.Port(
          p.req("number").port(),
          p.req("name").name(),
          p.opt("protocol").isPresent() ? p.req("protocol").name() : "",
          p.opt("targetPort").isPresent() ? p.req("targetPort").port() : 0));
    }
    List<Workload> endpoints = new ArrayList<>();
    for (At e : spec.optList("endpoints")) {
      endpoints.add(workload(e, Address.IPV4_OR_NAME));
    }
    ServiceEntry.Resolution resolution = spec.opt("resolution").isPresent()
        ? spec.req("resolution").enumValue(ServiceEntry.Resolution.class, List.of("NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN"))
        : ServiceEntry.Resolution.NONE;
    ServiceEntry.Location location = spec.opt("location").isPresent()
        ? spec.req("location").enumValue(ServiceEntry.Location.class, List.of("MESH_EXTERNAL", "MESH_INTERNAL"))
        : ServiceEntry.Location.MESH_EXTERNAL;
    Optional<Map<String, String>> selector = Optional.empty();
    if (spec.opt("workloadSelector").isPresent()) {
      selector = Optional.of(spec.req("workloadSelector").opt("labels").isPresent()
          ? spec.req("workloadSelector").req("labels").stringMap() : Map.of());
      if (!endpoints.isEmpty()) {
        throw spec.req("workloadSelector").error("cannot be used together with endpoints");
      }
    }
    if (resolution == ServiceEntry.Resolution.STATIC) {
      for (Workload w : endpoints) {
        if (!InetAddresses.isInetAddress(w.address())) {
          throw spec.req("endpoints").error("address '" + w.address() + "' is not an IP address (resolution STATIC needs IPs)");
        }
      }
    }
    return new ServiceEntry(meta, hosts, addresses, ports, endpoints, resolution, location, selector);
  }

  /** What a workload's {@code address} may be. */
  private enum Address {
    /** A WorkloadEntry's. */
    IPV4,
    /** A ServiceEntry endpoint's, which may be a DNS name. */
    IPV4_OR_NAME
  }

  /** A WorkloadEntry spec or a ServiceEntry endpoint. */
  private static Workload workload(At spec, Address form) throws ConfigException {
    At addressNode = spec.req("address");
    String address = form == Address.IPV4 ? ipv4(addressNode) : addressNode.name();
    Map<String, String> labels = spec.opt("labels").isPresent() ? spec.req("labels").stringMap() : Map.of();
    Map<String, Integer> ports = new LinkedHashMap<>();
    if (spec.opt("ports").isPresent()) {
      for (Map.Entry<String, At> e : spec.req("ports").entries()) {
        ports.put(e.getKey(), e.getValue().port());
      }
    }
    int weight = spec.opt("weight").isPresent() ? spec.req("weight").integer(0, Integer.MAX_VALUE) : 1;
    String locality = spec.opt("locality").isPresent() ? spec.req("locality").string() : "";
    return new Workload(address, labels, ports, Math.max(weight, 1), locality);
  }

  static String ipv4(At at) throws ConfigException {
    String v = at.string().strip();
    if (!InetAddresses.isInetAddress(v) || !(InetAddresses.forString(v) instanceof Inet4Address)) {
      throw at.error("'" + v + "' is not an IPv4 address");
    }
    return v;
  }
}
