package io.ax.xds.pilot.config;

import java.util.Map;
import java.util.Objects;

/**
 * The legacy {@code config.istio.io/v1alpha2 DestinationPolicy} of Istio 0.2 (the AppSwitch blog's
 * era): a load-balancing policy for a destination, or for the subset of it its labels select.
 *
 * @param destinationNamespace {@code destination.namespace}, else the object's namespace
 */
public record DestinationPolicy(
    Meta meta, String destinationName, String destinationNamespace, Map<String, String> labels, LoadBalancer.SimpleLb policy)
    implements ConfigObject {
  public DestinationPolicy {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(destinationName, "destinationName");
    Objects.requireNonNull(destinationNamespace, "destinationNamespace");
    labels = Map.copyOf(labels);
    Objects.requireNonNull(policy, "policy");
  }
}
