package io.ax.xds.pilot.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An Istio {@code DestinationRule} ({@code networking.istio.io} v1, v1beta1 or v1alpha3).
 *
 * @param host the host as written; short names resolve against {@code meta().namespace()}
 */
public record DestinationRule(Meta meta, String host, TrafficPolicy trafficPolicy, List<Subset> subsets) implements ConfigObject {
  public DestinationRule {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(trafficPolicy, "trafficPolicy");
    subsets = List.copyOf(subsets);
  }

  /** A named subset of the host's endpoints, chosen by labels, with an optional own policy. */
  public record Subset(String name, Map<String, String> labels, TrafficPolicy trafficPolicy) {
    public Subset {
      Objects.requireNonNull(name, "name");
      labels = Map.copyOf(labels);
      Objects.requireNonNull(trafficPolicy, "trafficPolicy");
    }
  }
}
