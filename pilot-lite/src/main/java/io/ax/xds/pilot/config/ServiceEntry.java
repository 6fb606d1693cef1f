package io.ax.xds.pilot.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An Istio {@code ServiceEntry}: hosts with ports, endpoints given inline or selected among
 * WorkloadEntries by {@code workloadSelector}.
 */
public record ServiceEntry(
    Meta meta,
    List<String> hosts,
    List<String> addresses,
    List<Port> ports,
    List<Workload> endpoints,
    Resolution resolution,
    Location location,
    Optional<Map<String, String>> workloadSelector)
    implements ConfigObject {
  public ServiceEntry {
    Objects.requireNonNull(meta, "meta");
    hosts = List.copyOf(hosts);
    addresses = List.copyOf(addresses);
    ports = List.copyOf(ports);
    endpoints = List.copyOf(endpoints);
    Objects.requireNonNull(resolution, "resolution");
    Objects.requireNonNull(location, "location");
    workloadSelector = workloadSelector.map(Map::copyOf);
  }

  /** A ServiceEntry port; {@code targetPort} 0 means the same as {@code number}. */
  public record Port(int number, String name, String protocol, int targetPort) {
    public Port {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(protocol, "protocol");
    }
  }

  public enum Resolution {
    NONE,
    STATIC,
    DNS,
    DNS_ROUND_ROBIN
  }

  public enum Location {
    MESH_EXTERNAL,
    MESH_INTERNAL
  }
}
