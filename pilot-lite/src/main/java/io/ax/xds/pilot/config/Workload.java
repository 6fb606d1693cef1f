package io.ax.xds.pilot.config;

import java.util.Map;
import java.util.Objects;

/**
 * An endpoint: a WorkloadEntry's spec or one of a ServiceEntry's {@code endpoints}.
 *
 * @param ports service port name to this endpoint's port (Istio's meaning of the map)
 * @param weight relative load-balancing weight, at least 1
 * @param locality {@code region/zone/subzone}, or empty
 */
public record Workload(String address, Map<String, String> labels, Map<String, Integer> ports, int weight, String locality) {
  public Workload {
    Objects.requireNonNull(address, "address");
    labels = Map.copyOf(labels);
    ports = Map.copyOf(ports);
    Objects.requireNonNull(locality, "locality");
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be at least 1, got " + weight);
    }
  }

  /** True when every selector label is on this workload (Kubernetes' equality-based selector). */
  public boolean matches(Map<String, String> selector) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
