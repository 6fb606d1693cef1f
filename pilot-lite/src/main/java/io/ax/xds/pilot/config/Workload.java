package io.ax.xds.pilot.config;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An endpoint: a WorkloadEntry's spec, one of a ServiceEntry's {@code endpoints}, or an ax app.
 *
 * @param ports service port name to this endpoint's port (Istio's meaning of the map)
 * @param weight relative load-balancing weight, at least 1
 * @param locality {@code region/zone/subzone}, or empty
 * @param listening the only ports this endpoint serves (an ax app's listening sockets: a pod is
 *     ready on them); empty for any port, as a WorkloadEntry's
 */
public record Workload(String address, Map<String, String> labels, Map<String, Integer> ports, int weight, String locality, Set<Integer> listening) {
  public Workload {
    Objects.requireNonNull(address, "address");
    labels = Map.copyOf(labels);
    ports = Map.copyOf(ports);
    Objects.requireNonNull(locality, "locality");
    listening = Set.copyOf(listening);
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be at least 1, got " + weight);
    }
  }

  /** An endpoint that serves any port. */
  public Workload(String address, Map<String, String> labels, Map<String, Integer> ports, int weight, String locality) {
    this(address, labels, ports, weight, locality, Set.of());
  }

  /** Whether this endpoint serves {@code port}. */
  public boolean serves(int port) {
    return listening.isEmpty() || listening.contains(port);
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
