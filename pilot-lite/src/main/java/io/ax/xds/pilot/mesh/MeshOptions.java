package io.ax.xds.pilot.mesh;

import io.ax.xds.pilot.config.LoadBalancer;
import java.util.Objects;

/**
 * How config becomes a mesh.
 *
 * @param domainSuffix Kubernetes' cluster domain: {@code reviews} in namespace {@code default} is
 *     {@code reviews.default.svc.<domainSuffix>}. Default {@code cluster.local}, as in every
 *     Kubernetes cluster that does not change it, and in the fixtures.
 * @param proxyNamespace the namespace whose services also get their bare short names
 *     ({@code reviews}, {@code reviews:9080}) as RDS domains. istiod computes domains per proxy; one
 *     snapshot serves every node here, so one namespace is chosen. Default {@code default}, where
 *     bookinfo and the demo run.
 * @param defaultLb the load balancer of clusters no rule sets one for. ROUND_ROBIN, Envoy's own
 *     default, left out of the cluster as istiod up to 1.13 did (1.14+ sends LEAST_REQUEST).
 */
public record MeshOptions(String domainSuffix, String proxyNamespace, LoadBalancer.SimpleLb defaultLb) {
  public MeshOptions {
    Objects.requireNonNull(domainSuffix, "domainSuffix");
    Objects.requireNonNull(proxyNamespace, "proxyNamespace");
    Objects.requireNonNull(defaultLb, "defaultLb");
    if (defaultLb == LoadBalancer.SimpleLb.UNSPECIFIED) {
      throw new IllegalArgumentException("defaultLb must be a policy, not UNSPECIFIED");
    }
  }

  public static final MeshOptions DEFAULTS = new MeshOptions("cluster.local", "default", LoadBalancer.SimpleLb.ROUND_ROBIN);
}
