package io.ax.xds.pilot.config;

import static io.ax.xds.pilot.config.Shape.ANY;
import static io.ax.xds.pilot.config.Shape.SCALAR;
import static io.ax.xds.pilot.config.Shape.STRINGS;
import static io.ax.xds.pilot.config.Shape.STRING_MAP;
import static io.ax.xds.pilot.config.Shape.applied;
import static io.ax.xds.pilot.config.Shape.approximated;
import static io.ax.xds.pilot.config.Shape.bookkeeping;
import static io.ax.xds.pilot.config.Shape.fields;
import static io.ax.xds.pilot.config.Shape.listOf;
import static io.ax.xds.pilot.config.Shape.mapOf;
import static io.ax.xds.pilot.config.Shape.notApplied;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every field of the kinds pilot-lite reads, as Istio's and Kubernetes' APIs define them, with what
 * ax does with each. The Istio kinds follow the OpenAPI schemas of Istio's CRDs
 * ({@code manifests/charts/base/files/crd-all.gen.yaml} of istio/istio, checked at commit
 * 86c9f01f, 2026-08); v1, v1beta1 and v1alpha3 share them. Service follows Kubernetes' core/v1
 * API, HTTPRoute the Gateway API's v1. A field missing here is refused as unknown: add Istio's new
 * fields here, with what ax does with them.
 *
 * <p>Inside a field ax does not read at all the shape is {@link Shape#ANY}: a typo there changes
 * nothing ax does, and checking it would refuse the fields newer Istio releases add.
 */
final class IstioFields {
  private IstioFields() {}

  // What happens instead, said once for the fields that share it.
  private static final String L7 = "ax routes whole connections at connect(), before any request is sent";
  private static final String RETRIES = "nothing is retried; a refused or unreachable backend is followed by the next one at connect()";
  private static final String NO_TLS = "ax connects in plain TCP: no mTLS is added, and an app's own TLS passes through unchanged";
  private static final String NO_EJECTION = "no backend is ejected; a refused or unreachable backend is followed by the next one at connect()";
  private static final String APP_SOCKET = "the app's own socket and its options stand; ax only makes the connect";
  private static final String ALL_LOCALITIES = "backends of every locality are used alike";
  private static final String HASH_ON_IP = "hashed on the client app's IP, since a connect carries no ";
  /** Matches are served in xDS (an Envoy applies them) but decide nothing at connect(). */
  private static final String MATCHES =
      "served in xDS as route matches, but " + L7 + ": the agent sends each connection where the first route that matches every request goes";
  private static final String NOT_SERVED = "this route is not served; requests follow the other routes";
  private static final String NO_NODE_PORT = "the Service is served at its cluster IP in the mesh; no node port or external load balancer is made";

  static final Shape.Fields METADATA = fields(
      applied("name", SCALAR),
      applied("namespace", SCALAR),
      bookkeeping("labels", STRING_MAP),
      bookkeeping("annotations", STRING_MAP),
      bookkeeping("generateName", SCALAR),
      bookkeeping("uid", SCALAR),
      bookkeeping("resourceVersion", SCALAR),
      bookkeeping("generation", SCALAR),
      bookkeeping("creationTimestamp", SCALAR),
      bookkeeping("deletionTimestamp", SCALAR),
      bookkeeping("deletionGracePeriodSeconds", SCALAR),
      bookkeeping("ownerReferences", ANY),
      bookkeeping("finalizers", ANY),
      bookkeeping("managedFields", ANY),
      bookkeeping("selfLink", SCALAR),
      bookkeeping("clusterName", SCALAR));

  private static final Shape.Fields STRING_MATCH = fields(applied("exact", SCALAR), applied("prefix", SCALAR), applied("regex", SCALAR));
  private static final Shape.Fields PORT_SELECTOR = fields(applied("number", SCALAR));
  private static final Shape.Fields DESTINATION = fields(applied("host", SCALAR), applied("subset", SCALAR), applied("port", PORT_SELECTOR));
  private static final Shape.Fields ROUTE_DESTINATION = fields(applied("destination", DESTINATION), applied("weight", SCALAR));

  private static final Shape.Fields HTTP_MATCH = fields(
      bookkeeping("name", SCALAR),
      applied("uri", STRING_MATCH),
      applied("scheme", STRING_MATCH),
      applied("method", STRING_MATCH),
      applied("authority", STRING_MATCH),
      applied("headers", mapOf(STRING_MATCH)),
      applied("port", SCALAR),
      notApplied("sourceLabels", STRING_MAP, "the match holds for every client"),
      notApplied("gateways", STRINGS, "the match holds for the mesh; gateways are not served"),
      notApplied("queryParams", mapOf(STRING_MATCH), "not served in xDS either; the rest of the match decides"),
      notApplied("ignoreUriCase", SCALAR, "uri matches are case-sensitive", "false"),
      notApplied("withoutHeaders", mapOf(STRING_MATCH), "not served in xDS either; the rest of the match decides"),
      notApplied("sourceNamespace", SCALAR, "the match holds for every client"),
      bookkeeping("statPrefix", SCALAR));

  private static final Shape.Fields HTTP_ROUTE = fields(
      applied("name", SCALAR),
      notApplied("match", listOf(HTTP_MATCH), MATCHES),
      applied("route", listOf(fields(
          applied("destination", DESTINATION),
          applied("weight", SCALAR),
          notApplied("headers", ANY, "headers are sent unchanged (" + L7 + ")")))),
      notApplied("redirect", ANY, NOT_SERVED),
      notApplied("directResponse", ANY, NOT_SERVED),
      notApplied("delegate", ANY, NOT_SERVED),
      notApplied("rewrite", ANY, "requests are sent unchanged (" + L7 + ")"),
      notApplied("timeout", SCALAR, "requests have no timeout of the mesh; the app's own apply", "0s"),
      notApplied("retries", ANY, RETRIES),
      notApplied("fault", ANY, "no fault is injected (" + L7 + ")"),
      notApplied("mirror", ANY, "nothing is mirrored (" + L7 + ")"),
      notApplied("mirrors", ANY, "nothing is mirrored (" + L7 + ")"),
      notApplied("mirrorPercent", ANY, "nothing is mirrored (" + L7 + ")"),
      notApplied("mirror_percent", ANY, "nothing is mirrored (" + L7 + ")"),
      notApplied("mirrorPercentage", ANY, "nothing is mirrored (" + L7 + ")"),
      notApplied("corsPolicy", ANY, "no CORS headers are added; the server's own answers stand"),
      notApplied("headers", ANY, "headers are sent unchanged (" + L7 + ")"),
      // Removed from Istio's API (1.0 upgraded websockets by default), still in Istio's own test
      // data (tests/testdata/config/rule-websocket-route.yaml): accepted, as istiod accepts it.
      notApplied("websocketUpgrade", SCALAR, "removed from Istio's API; a websocket is a connection like any other here"));

  private static final Shape.Fields L4_MATCH = fields(
      applied("port", SCALAR),
      notApplied("destinationSubnets", STRINGS, "the match holds for every destination address of the host"),
      notApplied("sourceLabels", STRING_MAP, "the match holds for every client"),
      notApplied("gateways", STRINGS, "the match holds for the mesh; gateways are not served"),
      notApplied("sourceNamespace", SCALAR, "the match holds for every client"),
      notApplied("sourceSubnet", SCALAR, "the match holds for every client"));

  static final Shape.Fields VIRTUAL_SERVICE = fields(
      applied("hosts", STRINGS),
      applied("gateways", STRINGS),
      applied("http", listOf(HTTP_ROUTE)),
      notApplied("tls", ANY, "TLS (SNI) routes are not served; connections go to the host's own backends"),
      applied("tcp", listOf(fields(applied("match", listOf(L4_MATCH)), applied("route", listOf(ROUTE_DESTINATION))))),
      applied("exportTo", STRINGS));

  private static final Shape.Fields CONSISTENT_HASH = fields(
      approximated("httpHeaderName", SCALAR, HASH_ON_IP + "header"),
      approximated("httpCookie", ANY, HASH_ON_IP + "cookie"),
      applied("useSourceIp", SCALAR),
      approximated("httpQueryParameterName", SCALAR, HASH_ON_IP + "query"),
      approximated("ringHash", fields(applied("minimumRingSize", SCALAR)),
          "ax's one consistent hash: a ring of 128 points per backend of the highest weight, at most 16,384, whatever the minimum"),
      approximated("maglev", ANY, "ax's one consistent hash, a ring hash of the client app's IP"),
      approximated("minimumRingSize", SCALAR,
          "ax's ring has 128 points per backend of the highest weight, at most 16,384, whatever the minimum"));

  // Carried in the cluster's "ax" metadata and applied by each daemon relative to its own
  // --locality (istiod orders each proxy's endpoints; one snapshot serves every node here).
  private static final Shape.Fields LOCALITY_LB = fields(
      applied("distribute", listOf(fields(
          applied("from", SCALAR, "the entry of each daemon whose --locality matches it"),
          applied("to", STRING_MAP, "each connection picks a locality pattern by weight (smooth weighted round robin); the other backends follow for failover")))),
      applied("failover", listOf(fields(
          applied("from", SCALAR, "the daemon's region; locality failover applies with outlierDetection, as in istiod"),
          applied("to", SCALAR, "dialed after the daemon's own subzone, zone and region, before the other regions")))),
      notApplied("failoverPriority", STRINGS, "backends are ordered by locality only, not by labels"),
      applied("enabled", SCALAR, "false turns it off; on by default, as Istio's mesh default"));

  private static final Shape.Fields LOAD_BALANCER = fields(
      applied("simple", SCALAR),
      applied("consistentHash", CONSISTENT_HASH),
      applied("localityLbSetting", LOCALITY_LB),
      notApplied("warmupDurationSecs", SCALAR, "a new backend gets its full share at once"),
      notApplied("warmup", ANY, "a new backend gets its full share at once"),
      notApplied("backendUtilization", ANY, "backends are weighted by their configured weights only"),
      notApplied("zoneAwareLbSetting", ANY, ALL_LOCALITIES));

  private static final Shape.Fields TCP_KEEPALIVE = fields(applied("probes", SCALAR), applied("time", SCALAR), applied("interval", SCALAR));

  // Served in the cluster (connect_timeout, circuit_breakers, outlier_detection) and enforced by
  // each node's daemon at connect(): see the README's "Connection limits, outlier detection".
  private static final Shape.Fields CONNECTION_POOL = fields(
      applied("tcp", fields(
          applied("maxConnections", SCALAR, "each node's daemon refuses a connect (ECONNREFUSED) while this node has that many open to the backends"),
          applied("connectTimeout", SCALAR, "a blocking connect gives each backend this long, then dials the next"),
          notApplied("tcpKeepalive", TCP_KEEPALIVE, APP_SOCKET),
          notApplied("maxConnectionDuration", SCALAR, "connections last as long as the app keeps them"),
          notApplied("idleTimeout", SCALAR, "connections last as long as the app keeps them"))),
      notApplied("http", ANY, "no request limits are set (" + L7 + ")"));

  private static final Shape.Fields OUTLIER_DETECTION = fields(
      applied("splitExternalLocalOriginErrors", SCALAR, "then consecutiveLocalOriginFailures counts the failed connects"),
      applied("consecutiveLocalOriginFailures", SCALAR, "failed connects in a row eject the backend, on each node for its own connects"),
      approximated("consecutiveGatewayErrors", SCALAR, "counts failed connects (refused, unreachable, timed out), the only errors a connect sees"),
      approximated("consecutive5xxErrors", SCALAR, "counts failed connects (refused, unreachable, timed out), the only errors a connect sees"),
      notApplied("consecutiveErrors", SCALAR, "deprecated in Istio and not served by istiod; consecutive5xxErrors counts"),
      approximated("interval", SCALAR, "an ejection ends exactly when its time is up, not at the next interval's sweep"),
      applied("baseEjectionTime", SCALAR, "times the ejections in a row, at most 300 s; an ejected backend is dialed only after the others failed"),
      applied("maxEjectionPercent", SCALAR, "at least one backend may be ejected, as in Envoy"),
      notApplied("minHealthPercent", SCALAR, "ejected backends are dialed last rather than left out, so none is needed"),
      notApplied("outlierDetectionHttpErrorCodes", ANY, "only failed connects count (" + L7 + ")"));

  private static final Shape.Fields PORT_TRAFFIC_POLICY = fields(
      applied("port", PORT_SELECTOR),
      applied("loadBalancer", LOAD_BALANCER),
      applied("connectionPool", CONNECTION_POOL),
      applied("outlierDetection", OUTLIER_DETECTION),
      notApplied("tls", ANY, NO_TLS, "DISABLE"));

  private static final Shape.Fields TRAFFIC_POLICY = fields(
      applied("loadBalancer", LOAD_BALANCER),
      applied("connectionPool", CONNECTION_POOL),
      applied("outlierDetection", OUTLIER_DETECTION),
      notApplied("tls", ANY, NO_TLS),
      applied("portLevelSettings", listOf(PORT_TRAFFIC_POLICY)),
      notApplied("tunnel", ANY, "connections are made directly, not tunnelled"),
      notApplied("proxyProtocol", ANY, "no PROXY protocol header is sent"),
      notApplied("retryBudget", ANY, RETRIES));

  static final Shape.Fields DESTINATION_RULE = fields(
      applied("host", SCALAR),
      applied("trafficPolicy", TRAFFIC_POLICY),
      applied("subsets", listOf(fields(applied("name", SCALAR), applied("labels", STRING_MAP), applied("trafficPolicy", TRAFFIC_POLICY)))),
      applied("exportTo", STRINGS),
      notApplied("workloadSelector", ANY, "the rule applies to every client"));

  private static final Shape.Fields WORKLOAD = fields(
      applied("address", SCALAR),
      applied("ports", STRING_MAP),
      applied("labels", STRING_MAP),
      notApplied("network", SCALAR, "every endpoint is taken as directly reachable", ""),
      applied("locality", SCALAR),
      applied("weight", SCALAR),
      notApplied("serviceAccount", SCALAR, "ax has no workload identities (no mTLS)"));

  static final Shape.Fields WORKLOAD_ENTRY = WORKLOAD;

  static final Shape.Fields SERVICE_ENTRY = fields(
      applied("hosts", STRINGS),
      applied("addresses", STRINGS),
      applied("ports", listOf(fields(applied("number", SCALAR), applied("protocol", SCALAR), applied("name", SCALAR), applied("targetPort", SCALAR)))),
      applied("location", SCALAR),
      applied("resolution", SCALAR),
      applied("endpoints", listOf(WORKLOAD)),
      applied("workloadSelector", fields(applied("labels", STRING_MAP))),
      applied("exportTo", STRINGS),
      notApplied("subjectAltNames", STRINGS, NO_TLS));

  static final Shape.Fields SERVICE = fields(
      applied("ports", listOf(fields(
          applied("name", SCALAR),
          applied("protocol", SCALAR),
          applied("appProtocol", SCALAR),
          applied("port", SCALAR),
          applied("targetPort", SCALAR),
          notApplied("nodePort", SCALAR, NO_NODE_PORT)))),
      applied("selector", STRING_MAP),
      applied("clusterIP", SCALAR),
      bookkeeping("clusterIPs", STRINGS),
      notApplied("type", SCALAR, NO_NODE_PORT, "ClusterIP", "ExternalName"),
      notApplied("externalIPs", STRINGS, "the Service is reached at its cluster IP only"),
      notApplied("sessionAffinity", SCALAR, "each connection is balanced by the service's policy, not pinned to its client", "None"),
      notApplied("sessionAffinityConfig", ANY, "each connection is balanced by the service's policy, not pinned to its client"),
      notApplied("loadBalancerIP", SCALAR, NO_NODE_PORT),
      notApplied("loadBalancerSourceRanges", STRINGS, NO_NODE_PORT),
      notApplied("loadBalancerClass", SCALAR, NO_NODE_PORT),
      notApplied("allocateLoadBalancerNodePorts", SCALAR, NO_NODE_PORT, "true"),
      notApplied("healthCheckNodePort", SCALAR, NO_NODE_PORT),
      notApplied("externalTrafficPolicy", SCALAR, NO_NODE_PORT, "Cluster"),
      notApplied("externalName", SCALAR, "an ExternalName Service is skipped: it is a DNS alias, not a service with endpoints"),
      notApplied("internalTrafficPolicy", SCALAR, "backends on every node are used", "Cluster"),
      notApplied("publishNotReadyAddresses", SCALAR, "endpoints are the workloads as written", "false"),
      notApplied("ipFamilies", STRINGS, "the mesh is IPv4", "IPv4"),
      notApplied("ipFamilyPolicy", SCALAR, "the mesh is IPv4", "SingleStack"),
      notApplied("trafficDistribution", SCALAR, ALL_LOCALITIES));

  private static final String NO_POD = "no pod is looked up: the endpoint has no labels, so DestinationRule subsets with labels do not select it";
  private static final Shape.Fields ENDPOINT_PORT = fields(
      applied("name", SCALAR),
      applied("port", SCALAR),
      applied("protocol", SCALAR),
      bookkeeping("appProtocol", SCALAR));
  private static final Shape.Fields ENDPOINT_ADDRESS = fields(
      applied("ip", SCALAR),
      bookkeeping("hostname", SCALAR),
      bookkeeping("nodeName", SCALAR),
      bookkeeping("targetRef", ANY));

  /** Kubernetes' core/v1 Endpoints, without apiVersion, kind and metadata (it has no spec). */
  static final Shape.Fields ENDPOINTS = fields(
      applied("subsets", listOf(fields(
          applied("addresses", listOf(ENDPOINT_ADDRESS)),
          notApplied("notReadyAddresses", listOf(ENDPOINT_ADDRESS), "not-ready addresses are left out, as Istio leaves them out of EDS"),
          applied("ports", listOf(ENDPOINT_PORT))))));

  /** Kubernetes' discovery.k8s.io/v1 EndpointSlice, without apiVersion, kind and metadata (it has no spec). */
  static final Shape.Fields ENDPOINT_SLICE = fields(
      applied("addressType", SCALAR),
      applied("endpoints", listOf(fields(
          applied("addresses", STRINGS),
          applied("conditions", fields(
              applied("ready", SCALAR),
              notApplied("serving", SCALAR, "ready decides", "true"),
              notApplied("terminating", SCALAR, "ready decides", "false"))),
          bookkeeping("hostname", SCALAR),
          bookkeeping("nodeName", SCALAR),
          approximated("zone", SCALAR, "the endpoint's locality zone, with no region"),
          bookkeeping("targetRef", ANY),
          notApplied("hints", ANY, ALL_LOCALITIES),
          bookkeeping("deprecatedTopology", ANY)))),
      applied("ports", listOf(ENDPOINT_PORT)));

  /** A document with no spec, whose fields sit beside apiVersion, kind and metadata. */
  static Shape.Fields topLevel(Shape.Fields body) {
    Map<String, Shape.Field> m = new LinkedHashMap<>();
    m.put("apiVersion", new Shape.Field(SCALAR, new Shape.Use.Applied()));
    m.put("kind", new Shape.Field(SCALAR, new Shape.Use.Applied()));
    m.put("metadata", new Shape.Field(METADATA, new Shape.Use.Applied()));
    m.putAll(body.fields());
    return new Shape.Fields(m);
  }

  /** The legacy v1alpha2 policy of Istio 0.2 (istio/api {@code proxy/v1/config/dest_policy.proto}). */
  static final Shape.Fields DESTINATION_POLICY = fields(
      applied("destination", fields(
          applied("name", SCALAR),
          applied("namespace", SCALAR),
          notApplied("domain", SCALAR, "hosts are under the mesh's domain suffix", "svc.cluster.local", "cluster.local"),
          notApplied("service", SCALAR, "the destination is name and namespace"),
          applied("labels", STRING_MAP))),
      notApplied("source", ANY, "the policy applies to every client"),
      applied("loadBalancing", fields(applied("name", SCALAR), notApplied("custom", ANY, "the policy's name decides"))),
      notApplied("circuitBreaker", ANY, NO_EJECTION),
      notApplied("custom", ANY, "only loadBalancing is read"));

  private static final Shape.Fields PARENT_REF = fields(
      applied("group", SCALAR),
      applied("kind", SCALAR),
      applied("namespace", SCALAR),
      applied("name", SCALAR),
      notApplied("sectionName", SCALAR, "the route applies to every port of the parent (or its port)"),
      applied("port", SCALAR));

  private static final String FILTERS = "requests are sent unchanged (" + L7 + ")";

  /** Gateway API's HTTPRoute (v1), for its mesh use (GAMMA): a Service as parentRef. */
  static final Shape.Fields HTTP_ROUTE_SPEC = fields(
      applied("parentRefs", listOf(PARENT_REF)),
      notApplied("hostnames", STRINGS, "the route applies to the traffic of its parent Services, whatever the Host header"),
      applied("rules", listOf(fields(
          applied("name", SCALAR),
          notApplied("matches", listOf(fields(
                  applied("path", fields(applied("type", SCALAR), applied("value", SCALAR))),
                  applied("headers", listOf(fields(applied("type", SCALAR), applied("name", SCALAR), applied("value", SCALAR)))),
                  notApplied("queryParams", ANY, "not served in xDS either; the rest of the match decides"),
                  applied("method", SCALAR))),
              MATCHES),
          notApplied("filters", ANY, FILTERS),
          applied("backendRefs", listOf(fields(
              applied("group", SCALAR),
              applied("kind", SCALAR),
              applied("name", SCALAR),
              applied("namespace", SCALAR),
              applied("port", SCALAR),
              applied("weight", SCALAR),
              notApplied("filters", ANY, FILTERS)))),
          notApplied("timeouts", ANY, "requests have no timeout of the mesh; the app's own apply"),
          notApplied("retry", ANY, RETRIES),
          notApplied("sessionPersistence", ANY, "each connection is balanced by the service's policy, not pinned to a session")))));

  /** A document of {@code kind} with {@code spec} of the given shape. */
  static Shape.Fields document(Shape.Fields spec) {
    return fields(
        applied("apiVersion", SCALAR),
        applied("kind", SCALAR),
        applied("metadata", METADATA),
        applied("spec", spec),
        bookkeeping("status", ANY));
  }

  /** {@code v1 List}: each item is checked as a document of its own. */
  static final Shape.Fields LIST = fields(applied("apiVersion", SCALAR), applied("kind", SCALAR), bookkeeping("metadata", ANY), applied("items", ANY));

  /** The spec shape of each kind pilot-lite reads, by kind, for the README's table. */
  static Map<String, Shape.Fields> specs() {
    Map<String, Shape.Fields> m = new LinkedHashMap<>();
    m.put("Service", SERVICE);
    m.put("ServiceEntry", SERVICE_ENTRY);
    m.put("WorkloadEntry", WORKLOAD_ENTRY);
    m.put("Endpoints", ENDPOINTS);
    m.put("EndpointSlice", ENDPOINT_SLICE);
    m.put("DestinationRule", DESTINATION_RULE);
    m.put("VirtualService", VIRTUAL_SERVICE);
    m.put("HTTPRoute", HTTP_ROUTE_SPEC);
    m.put("DestinationPolicy", DESTINATION_POLICY);
    return m;
  }

  /**
   * The README's table of every field: one row per field ax reads to its leaves, and one per field
   * it does not apply, approximates or keeps as bookkeeping (their parts share their fate).
   * {@code IstioFieldsTableTest} keeps the README equal to it.
   */
  static String table() {
    StringBuilder b = new StringBuilder("| kind | field | ax |\n|---|---|---|\n");
    specs().forEach((kind, spec) -> rows(b, kind, "", spec));
    return b.toString();
  }

  private static void rows(StringBuilder b, String kind, String path, Shape shape) {
    switch (shape) {
      case Shape.Fields f -> f.fields().forEach((name, field) -> {
        String at = path.isEmpty() ? name : path + "." + name;
        switch (field.use()) {
          case Shape.Use.Applied a -> {
            if (hasFields(field.shape())) {
              rows(b, kind, at, field.shape());
            } else {
              row(b, kind, at, a.how().isEmpty() ? "applied" : "applied: " + a.how());
            }
          }
          case Shape.Use.Approximated a -> row(b, kind, at, "approximated: " + a.how());
          case Shape.Use.NotApplied n -> row(b, kind, at, "not applied (noted"
              + (n.quiet().isEmpty() ? "" : " unless " + String.join(" or ", n.quiet().stream().sorted().map(q -> q.isEmpty() ? "empty" : q).toList()))
              + "): " + n.instead());
          case Shape.Use.Bookkeeping k -> row(b, kind, at, "not config: accepted without a note");
        }
      });
      case Shape.ListOf l -> rows(b, kind, path + "[]", l.item());
      case Shape.MapOf m -> rows(b, kind, path + ".*", m.value());
      case Shape.Scalar s -> {}
      case Shape.Any a -> {}
    }
  }

  private static boolean hasFields(Shape s) {
    return switch (s) {
      case Shape.Fields f -> true;
      case Shape.ListOf l -> hasFields(l.item());
      case Shape.MapOf m -> hasFields(m.value());
      case Shape.Scalar x -> false;
      case Shape.Any a -> false;
    };
  }

  private static void row(StringBuilder b, String kind, String path, String what) {
    b.append("| ").append(kind).append(" | `").append(path).append("` | ").append(what.replace("|", "\\|")).append(" |\n");
  }
}
