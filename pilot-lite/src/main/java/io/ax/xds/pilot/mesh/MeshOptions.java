package io.ax.xds.pilot.mesh;

import io.ax.xds.pilot.config.LoadBalancer;
import java.util.Objects;

/**
 * How config becomes a mesh.
 *
 * @param domainSuffix Kubernetes' cluster domain: {@code reviews} in namespace {@code default} is
 *     {@code reviews.default.svc.<domainSuffix>}. Default {@code cluster.local}, as in every
 *     Kubernetes cluster that does not change it, and in the fixtures.
 * @param proxyNamespace the namespace of the proxies this mesh is built for (istiod computes a
 *     view per proxy; pilot-lite one per namespace, see {@link #forNamespace}): its services also
 *     get their bare short names ({@code reviews}, {@code reviews:9080}) as RDS domains, what is
 *     not exported to it ({@code exportTo}) is not served, and DestinationRules are looked up from
 *     it first. Default {@code default}, where bookinfo and the demo run, and the view of nodes
 *     that name no namespace.
 * @param defaultLb the load balancer of clusters no rule sets one for. ROUND_ROBIN, Envoy's own
 *     default, left out of the cluster as istiod up to 1.13 did (1.14+ sends LEAST_REQUEST).
 * @param rootNamespace MeshConfig's {@code rootNamespace}: its DestinationRules apply, when
 *     exported, to services that have none in the client's or their own namespace. Default
 *     {@code istio-system}, Istio's.
 */
public record MeshOptions(String domainSuffix, String proxyNamespace, LoadBalancer.SimpleLb defaultLb, String rootNamespace) {
  public static final String DEFAULT_ROOT_NAMESPACE = "istio-system";

  public MeshOptions {
    Objects.requireNonNull(domainSuffix, "domainSuffix");
    Objects.requireNonNull(proxyNamespace, "proxyNamespace");
    Objects.requireNonNull(rootNamespace, "rootNamespace");
    Objects.requireNonNull(defaultLb, "defaultLb");
    if (defaultLb == LoadBalancer.SimpleLb.UNSPECIFIED) {
      throw new IllegalArgumentException("defaultLb must be a policy, not UNSPECIFIED");
    }
  }

  public MeshOptions(String domainSuffix, String proxyNamespace, LoadBalancer.SimpleLb defaultLb) {
    this(domainSuffix, proxyNamespace, defaultLb, DEFAULT_ROOT_NAMESPACE);
  }

  /** These options for clients in {@code namespace}. */
  public MeshOptions forNamespace(String namespace) {
    return new MeshOptions(domainSuffix, namespace, defaultLb, rootNamespace);
  }

  public static final MeshOptions DEFAULTS = new MeshOptions("cluster.local", "default", LoadBalancer.SimpleLb.ROUND_ROBIN);
}
