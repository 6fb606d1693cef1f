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
 * <p>Known kinds: {@code v1 Service} and {@code Endpoints}, {@code discovery.k8s.io/v1 EndpointSlice}; {@code networking.istio.io} (v1, v1beta1, v1alpha3)
 * ServiceEntry, WorkloadEntry, DestinationRule, VirtualService; {@code gateway.networking.k8s.io}
 * HTTPRoute (read as a VirtualService); {@code config.istio.io/v1alpha2} DestinationPolicy; and
 * {@code v1 List} of those. Every other kind is returned in {@link Parsed#ignoredKinds()} for the
 * caller to report.
 *
 * <p>Fields are checked as kubectl's strict validation checks them ({@link IstioFields}): a field
 * the kind does not have is an error, since a misspelt field ({@code subest: v1}) would silently
 * route elsewhere. A field of Istio's API that ax does not apply is accepted with a {@link Note}
 * saying what ax does instead. A valid object that ax cannot use (a {@code unix://} endpoint, a
 * WorkloadEntry without an IPv4 address) is skipped with a note; the rest of the file is served.
 */
public final class ConfigParser {
  static final List<String> NETWORKING_VERSIONS = List.of("v1", "v1beta1", "v1alpha3");
  static final List<String> GATEWAY_API_VERSIONS = List.of("v1", "v1beta1", "v1alpha2");
  static final String DEFAULT_NAMESPACE = "default";

  private ConfigParser() {}

  /**
   * What a file holds.
   *
   * @param ignoredKinds kinds that pilot-lite does not serve, as {@code apiVersion/kind}
   * @param notes fields not applied or approximated, objects skipped: one line each
   */
  public record Parsed(List<ConfigObject> objects, Set<String> ignoredKinds, List<Note> notes) {
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
    List<Note> notes = new ArrayList<>();
    for (Node doc : Yaml.documents(content, format)) {
      document(source, At.root(doc), objects, ignored, notes);
    }
    return new Parsed(objects, ignored, notes);
  }

  private static void document(String source, At doc, List<ConfigObject> out, Set<String> ignored, List<Note> notes)
      throws ConfigException {
    String apiVersion = doc.req("apiVersion").name();
    String kind = doc.req("kind").name();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    switch (group) {
      case "" -> {
        switch (kind) {
          case "Service" -> {
            Meta meta = meta(source, doc, kind);
            String annotation = doc.req("metadata").optStringMap("annotations").get(EXPORT_TO_ANNOTATION);
            if (annotation != null) {
              meta = meta.withExportTo(exportTo(doc.req("metadata").req("annotations").req(EXPORT_TO_ANNOTATION),
                  java.util.Arrays.stream(annotation.split(",", -1)).map(String::strip).toList()));
            }
            List<Note> fieldNotes = check(doc, IstioFields.SERVICE, meta);
            Optional<ConfigObject> s = kubeService(meta, doc.req("spec"), notes);
            if (s.isPresent()) {
              notes.addAll(fieldNotes);
              out.add(s.get());
            }
          }
          case "Endpoints" -> {
            Meta meta = meta(source, doc, kind);
            List<Note> fieldNotes = new ArrayList<>();
            FieldCheck.check(doc.node(), IstioFields.topLevel(IstioFields.ENDPOINTS), "", meta.id(), fieldNotes);
            notes.addAll(fieldNotes);
            out.add(KubeEndpoints.endpoints(meta, doc, notes));
          }
          case "List" -> {
            FieldCheck.check(doc.node(), IstioFields.LIST, "", "List", new ArrayList<>());
            for (At item : doc.optList("items")) {
              document(source, item, out, ignored, notes);
            }
          }
          default -> ignored.add(apiVersion + "/" + kind);
        }
      }
      case "networking.istio.io" -> {
        Shape.Fields spec = switch (kind) {
          case "ServiceEntry" -> IstioFields.SERVICE_ENTRY;
          case "WorkloadEntry" -> IstioFields.WORKLOAD_ENTRY;
          case "DestinationRule" -> IstioFields.DESTINATION_RULE;
          case "VirtualService" -> IstioFields.VIRTUAL_SERVICE;
          default -> null;
        };
        if (spec == null) {
          ignored.add(apiVersion + "/" + kind);
          return;
        }
        if (!NETWORKING_VERSIONS.contains(version)) {
          throw doc.req("apiVersion").error("unsupported version '" + apiVersion + "' of " + kind
              + " (expected networking.istio.io/ v1, v1beta1 or v1alpha3)");
        }
        Meta meta = meta(source, doc, kind);
        List<Note> fieldNotes = check(doc, spec, meta);
        At at = doc.req("spec");
        if (!kind.equals("WorkloadEntry") && at.opt("exportTo").isPresent()) {
          meta = meta.withExportTo(exportTo(at.req("exportTo"), at.req("exportTo").stringList()));
        }
        Optional<ConfigObject> o = switch (kind) {
          case "ServiceEntry" -> Optional.of(serviceEntry(meta, at, notes));
          case "WorkloadEntry" -> Workloads.entry(meta, at, notes);
          case "DestinationRule" -> Optional.of(RuleParser.destinationRule(meta, at));
          default -> RuleParser.virtualService(meta, at, notes);
        };
        // An object left out as a whole is noted once; its fields' notes would only be noise.
        o.ifPresent(obj -> {
          notes.addAll(fieldNotes);
          out.add(obj);
        });
      }
      case "gateway.networking.k8s.io" -> {
        if (!kind.equals("HTTPRoute")) {
          ignored.add(apiVersion + "/" + kind);
          return;
        }
        if (!GATEWAY_API_VERSIONS.contains(version)) {
          throw doc.req("apiVersion").error("unsupported version '" + apiVersion + "' of HTTPRoute (expected gateway.networking.k8s.io/ v1 or v1beta1)");
        }
        Meta meta = meta(source, doc, kind);
        List<Note> fieldNotes = check(doc, IstioFields.HTTP_ROUTE_SPEC, meta);
        Optional<VirtualService> vs = HttpRouteParser.httpRoute(meta, doc.req("spec"), notes);
        vs.ifPresent(v -> {
          notes.addAll(fieldNotes);
          out.add(v);
        });
      }
      case "discovery.k8s.io" -> {
        if (!kind.equals("EndpointSlice")) {
          ignored.add(apiVersion + "/" + kind);
          return;
        }
        if (!version.equals("v1")) {
          throw doc.req("apiVersion").error("unsupported version '" + apiVersion + "' of EndpointSlice (expected discovery.k8s.io/v1)");
        }
        Meta meta = meta(source, doc, kind);
        List<Note> fieldNotes = new ArrayList<>();
        FieldCheck.check(doc.node(), IstioFields.topLevel(IstioFields.ENDPOINT_SLICE), "", meta.id(), fieldNotes);
        Optional<ConfigObject> slice = KubeEndpoints.slice(meta, doc, notes);
        slice.ifPresent(o -> {
          notes.addAll(fieldNotes);
          out.add(o);
        });
      }
      case "config.istio.io" -> {
        if (kind.equals("DestinationPolicy") && version.equals("v1alpha2")) {
          Meta meta = meta(source, doc, kind);
          notes.addAll(check(doc, IstioFields.DESTINATION_POLICY, meta));
          out.add(RuleParser.destinationPolicy(meta, doc.req("spec")));
        } else {
          ignored.add(apiVersion + "/" + kind);
        }
      }
      default -> ignored.add(apiVersion + "/" + kind);
    }
  }

  /** Strict fields and the notes on fields not applied, for a document whose spec has {@code spec}'s shape. */
  private static List<Note> check(At doc, Shape.Fields spec, Meta meta) throws ConfigException {
    List<Note> notes = new ArrayList<>();
    FieldCheck.check(doc.node(), IstioFields.document(spec), "", meta.id(), notes);
    return notes;
  }

  static Meta meta(String source, At doc, String kind) throws ConfigException {
    At metadata = doc.req("metadata");
    String name = metadata.req("name").name();
    String namespace = metadata.opt("namespace").isPresent() ? metadata.req("namespace").name() : DEFAULT_NAMESPACE;
    return new Meta(kind, name, namespace, source + ":" + doc.line());
  }

  private static Optional<ConfigObject> kubeService(Meta meta, At spec, List<Note> notes) throws ConfigException {
    String type = spec.opt("type").isPresent() ? spec.req("type").name() : "ClusterIP";
    switch (type) {
      case "ClusterIP", "NodePort", "LoadBalancer" -> {}
      case "ExternalName" -> {
        notes.add(Note.warn(meta.id(), "type ExternalName is not served (it is a DNS alias, not a service with endpoints): skipped"));
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

  private static ServiceEntry serviceEntry(Meta meta, At spec, List<Note> notes) throws ConfigException {
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
      Workloads.endpoint(meta, e, notes).ifPresent(endpoints::add);
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

  /** The annotation that is a Service's exportTo (a comma-separated list), as istiod reads it. */
  static final String EXPORT_TO_ANNOTATION = "networking.istio.io/exportTo";
  private static final java.util.regex.Pattern NAMESPACE = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** Istio's exportTo rules: {@code .}, {@code *}, {@code ~} or namespace names; {@code *} and {@code ~} stand alone. */
  private static List<String> exportTo(At at, List<String> items) throws ConfigException {
    for (String to : items) {
      if (!to.equals(".") && !to.equals("*") && !to.equals("~") && !NAMESPACE.matcher(to).matches()) {
        throw at.error("'" + to + "' is not '.', '*', '~' or a namespace name");
      }
      if ((to.equals("*") || to.equals("~")) && items.size() > 1) {
        throw at.error("'" + to + "' cannot be listed with other namespaces");
      }
    }
    return items;
  }

  static String ipv4(At at) throws ConfigException {
    String v = at.string().strip();
    if (!InetAddresses.isInetAddress(v) || !(InetAddresses.forString(v) instanceof Inet4Address)) {
      throw at.error("'" + v + "' is not an IPv4 address");
    }
    return v;
  }
}
