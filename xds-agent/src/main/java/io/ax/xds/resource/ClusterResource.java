package io.ax.xds.resource;

import java.util.Optional;

/**
 * A CDS cluster. CONTRACT (skeleton): the parser/translation work adds the fields translation
 * needs; the ADS client relies only on {@link #name()} and {@link #edsServiceName()}.
 *
 * @param edsServiceName the EDS resource name to subscribe to when the cluster's endpoints come
 *     from EDS (eds_cluster_config.service_name, or the cluster name when that is empty)
 */
public record ClusterResource(String name, Optional<String> edsServiceName) implements XdsResource {
  @Override
  public ResourceType type() {
    return ResourceType.CLUSTER;
  }
}
