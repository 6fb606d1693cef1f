package io.ax.xds.resource;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An accepted CDS cluster: what translation needs of it. Made by {@link ResourceParser}, which has
 * validated it. The ADS client relies on {@link #name()} and {@link #edsServiceName()}.
 *
 * @param edsServiceName the EDS resource name to subscribe to when the cluster's endpoints come
 *     from EDS (eds_cluster_config.service_name, or the cluster name when that is empty); empty
 *     for every other discovery type
 * @param istioName the parts of an Istio-shaped name ({@code outbound|9080|v1|HOST}), if it has one
 * @param inlineEndpoints the endpoints of the cluster's own {@code load_assignment} (STATIC and DNS
 *     clusters); empty for EDS clusters
 * @param resilience connect timeout, connection limit and outlier detection
 */
public record ClusterResource(
    String name,
    Optional<String> edsServiceName,
    Optional<IstioClusterName> istioName,
    DiscoveryType discoveryType,
    LbPolicy lbPolicy,
    List<LbEndpoint> inlineEndpoints,
    ClusterResilience resilience)
    implements XdsResource {
  public ClusterResource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(edsServiceName, "edsServiceName");
    Objects.requireNonNull(istioName, "istioName");
    Objects.requireNonNull(discoveryType, "discoveryType");
    Objects.requireNonNull(lbPolicy, "lbPolicy");
    inlineEndpoints = List.copyOf(inlineEndpoints);
    Objects.requireNonNull(resilience, "resilience");
    if (edsServiceName.isPresent() != (discoveryType == DiscoveryType.EDS)) {
      throw new IllegalArgumentException("cluster " + name + ": edsServiceName is set exactly for EDS clusters");
    }
  }

  /** A cluster that asks nothing of connects beyond balancing. */
  public ClusterResource(
      String name, Optional<String> edsServiceName, Optional<IstioClusterName> istioName, DiscoveryType discoveryType, LbPolicy lbPolicy,
      List<LbEndpoint> inlineEndpoints) {
    this(name, edsServiceName, istioName, discoveryType, lbPolicy, inlineEndpoints, ClusterResilience.NONE);
  }

  @Override
  public ResourceType type() {
    return ResourceType.CLUSTER;
  }
}
