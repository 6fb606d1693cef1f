package io.ax.xds.agent;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.net.InetAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Who the agent is to istiod: a sidecar of pod {@code podName} in {@code namespace}, at {@code ip}.
 * Immutable; the constructor validates every field and names the one that is wrong.
 *
 * <p>What istiod reads, and why each field is here (istio/istio {@code pilot/pkg/model/context.go}
 * {@code ParseServiceNodeWithMetadata}, and the JSON tags of {@code NodeMetadata} in
 * {@code pkg/model/proxy.go}; compare the node of a real Istio 1.10 sidecar in the fixture
 * {@code istioctl/pkg/writer/envoy/configdump/testdata/configdump.json}):
 * <ul>
 *   <li>the id {@code TYPE~IP~ID~DOMAIN} must have 4 parts and the type {@code sidecar}; the IP is
 *       a fallback for {@code INSTANCE_IPS}; ID is {@code POD.NAMESPACE} and DOMAIN
 *       {@code NAMESPACE.svc.CLUSTER_DOMAIN};
 *   <li>{@code NAMESPACE} is the proxy's config namespace (which Sidecars, exportTo and
 *       DestinationRules apply); on port 15012 istiod also requires it to match the namespace of
 *       the ServiceAccount token ({@code checkConnectionIdentity} in {@code pilot/pkg/xds});
 *   <li>{@code SERVICE_ACCOUNT}, when set, must match the token's ServiceAccount there too;
 *   <li>{@code CLUSTER_ID} picks the registry that holds the pod (and is checked against the
 *       token's cluster when istiod knows it);
 *   <li>{@code ISTIO_VERSION}: istiod shapes config by the proxy's version and warns without it;
 *   <li>{@code LABELS} select the workload (Sidecar, workloadSelector, locality labels);
 *   <li>{@code INSTANCE_IPS} (a comma-joined string, istiod's {@code StringList}) finds the pod;
 *   <li>{@code INTERCEPTION_MODE}: see {@link #INTERCEPTION_MODE};
 *   <li>{@code NAME}: the instance (pod) name.
 * </ul>
 *
 * @param serviceAccount empty: not sent, and istiod then checks only the namespace
 */
public record NodeIdentity(
    String ip,
    String podName,
    String namespace,
    String clusterId,
    String istioVersion,
    Map<String, String> labels,
    Optional<String> serviceAccount,
    String clusterDomain) {

  /** Kubernetes' namespace when none is given. */
  public static final String DEFAULT_NAMESPACE = "default";

  /** istiod's name for its own Kubernetes cluster ({@code constants.DefaultClusterName}). */
  public static final String DEFAULT_CLUSTER_ID = "Kubernetes";

  /**
   * A recent Istio release. istiod gates what it generates on the proxy's version and supports
   * proxies a few minor versions apart from itself; claiming a current version gets current
   * config. Override it with the version of the istiod you run.
   */
  public static final String DEFAULT_ISTIO_VERSION = "1.27.0";

  /** Kubernetes' default cluster domain. */
  public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";

  /**
   * NONE: ax captures traffic at connect(), in the daemon, and there is no iptables REDIRECT or
   * TPROXY rule. istiod then makes listeners bound to each service's vIP:port instead of the
   * 15001 catch-all, which is the shape the translation reads.
   */
  public static final String INTERCEPTION_MODE = "NONE";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
  private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+(\\.\\d+)?([-+.][0-9A-Za-z.-]+)?");
  private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7e]+");

  public NodeIdentity {
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(podName, "podName");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(istioVersion, "istioVersion");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    Objects.requireNonNull(clusterDomain, "clusterDomain");
    checkIp(ip);
    check("pod name", podName, DNS_NAME, "a DNS name of lower-case letters, digits, '-' and '.', at most 253 characters");
    check("namespace", namespace, DNS_LABEL, "a DNS label of lower-case letters, digits and '-', at most 63 characters");
    check("cluster id", clusterId, PRINTABLE, "printable characters without spaces");
    check("Istio version", istioVersion, VERSION, "MAJOR.MINOR[.PATCH], e.g. " + DEFAULT_ISTIO_VERSION);
    check("cluster domain", clusterDomain, DNS_NAME, "a DNS name such as " + DEFAULT_CLUSTER_DOMAIN);
    serviceAccount.ifPresent(sa -> check("service account", sa, DNS_NAME, "a DNS name of lower-case letters, digits, '-' and '.'"));
    for (Map.Entry<String, String> label : labels.entrySet()) {
      check("label key", label.getKey(), PRINTABLE, "printable characters without spaces");
      if (label.getValue().length() > 63 || !(label.getValue().isEmpty() || PRINTABLE.matcher(label.getValue()).matches())) {
        throw new IllegalArgumentException("label " + label.getKey() + "='" + label.getValue() + "' is not valid (expected a value of at most 63 printable characters without spaces)");
      }
    }
    labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
  }

  /** A sidecar at {@code ip} named {@code podName}, with every other field at its default. */
  public static NodeIdentity of(String ip, String podName) {
    return new NodeIdentity(ip, podName, DEFAULT_NAMESPACE, DEFAULT_CLUSTER_ID, DEFAULT_ISTIO_VERSION, Map.of(), Optional.empty(), DEFAULT_CLUSTER_DOMAIN);
  }

  /** {@code sidecar~IP~POD.NAMESPACE~NAMESPACE.svc.CLUSTER_DOMAIN}. */
  public String nodeId() {
    return "sidecar~" + ip + "~" + podName + "." + namespace + "~" + namespace + ".svc." + clusterDomain;
  }

  /** The Envoy node sent on every discovery request. */
  public Node toNode() {
    Struct.Builder labelStruct = Struct.newBuilder();
    labels.forEach((k, v) -> labelStruct.putFields(k, string(v)));
    Struct.Builder metadata = Struct.newBuilder()
        .putFields("NAMESPACE", string(namespace))
        .putFields("CLUSTER_ID", string(clusterId))
        .putFields("ISTIO_VERSION", string(istioVersion))
        .putFields("LABELS", Value.newBuilder().setStructValue(labelStruct).build())
        .putFields("INTERCEPTION_MODE", string(INTERCEPTION_MODE))
        .putFields("INSTANCE_IPS", string(ip))
        .putFields("NAME", string(podName));
    serviceAccount.ifPresent(sa -> metadata.putFields("SERVICE_ACCOUNT", string(sa)));
    return Node.newBuilder()
        .setId(nodeId())
        // Envoy's service cluster: Istio's sidecar sends APP.NAMESPACE ("details.default" in the
        // fixture), the pod's app label or, without one, its name.
        .setCluster(labels.getOrDefault("app", podName) + "." + namespace)
        .setMetadata(metadata)
        .build();
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static void check(String what, String value, Pattern pattern, String expected) {
    if (!pattern.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " '" + value + "' is not valid (expected " + expected + ")");
    }
  }

  private static void checkIp(String ip) {
    try {
      // ofLiteral never resolves a host name; it also takes forms like "010.1.1.1" that the
      // node id should not carry, so the result must print back as given.
      String canonical = InetAddress.ofLiteral(ip).getHostAddress();
      if (ip.contains(":") || canonical.equals(ip)) {
        return;
      }
    } catch (IllegalArgumentException e) {
      // not a literal: fall through to the one-line error
    }
    throw new IllegalArgumentException("node IP '" + ip + "' is not valid (expected an IPv4 or IPv6 address such as 10.0.0.7)");
  }
}
