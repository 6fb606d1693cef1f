package io.ax.xds.pilot.mesh;

import io.ax.xds.pilot.config.KubeService;
import io.ax.xds.pilot.config.Workload;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A service as istiod's registry sees it: one host (a Kubernetes Service or one host of a
 * ServiceEntry), its vIP, ports and endpoints.
 *
 * @param vip empty for a headless Service (or a wildcard host), which gets no VIP listener
 * @param source the {@code file:line} it came from
 */
public record MeshService(
    String host, String namespace, Optional<String> vip, List<Port> ports, Discovery discovery, List<Workload> endpoints, String source) {
  public MeshService {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(vip, "vip");
    ports = List.copyOf(ports);
    Objects.requireNonNull(discovery, "discovery");
    endpoints = List.copyOf(endpoints);
    Objects.requireNonNull(source, "source");
  }

  /** How Envoy finds the endpoints of the service's clusters. */
  public enum Discovery {
    /** From EDS (Kubernetes Services, STATIC ServiceEntries): one ClusterLoadAssignment per cluster. */
    EDS,
    /** Resolution DNS: a STRICT_DNS cluster with the endpoints inline. */
    DNS,
    /** Resolution DNS_ROUND_ROBIN: a LOGICAL_DNS cluster. */
    DNS_ROUND_ROBIN,
    /** Resolution NONE: an ORIGINAL_DST cluster, connections go where the caller asked. */
    PASSTHROUGH
  }

  /** A service port and how it maps to an endpoint's port. */
  public record Port(int port, String name, Protocol protocol, KubeService.TargetPort target) {
    public Port {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(protocol, "protocol");
      Objects.requireNonNull(target, "target");
    }

    /**
     * The port to reach {@code w} on: the endpoint's own port for this service port's name (the
     * meaning of a WorkloadEntry's {@code ports}), else the target port, else the same port.
     */
    public int endpointPort(Workload w) {
      Integer byName = w.ports().get(name);
      if (byName != null) {
        return byName;
      }
      return switch (target) {
        case KubeService.TargetPort.Number n -> n.port();
        case KubeService.TargetPort.Named n -> w.ports().getOrDefault(n.name(), port);
        case KubeService.TargetPort.Same s -> port;
      };
    }
  }
}
