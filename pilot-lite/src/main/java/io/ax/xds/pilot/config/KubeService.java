package io.ax.xds.pilot.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Kubernetes {@code v1/Service}: its ports and the selector that picks its endpoints (here,
 * WorkloadEntries, since no Kubernetes runs).
 */
public record KubeService(Meta meta, ClusterIp clusterIp, List<ServicePort> ports, Map<String, String> selector)
    implements ConfigObject {
  public KubeService {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(clusterIp, "clusterIp");
    ports = List.copyOf(ports);
    selector = Map.copyOf(selector);
  }

  /** {@code spec.clusterIP}: an address, {@code None} (headless), or absent (pilot-lite allocates). */
  public sealed interface ClusterIp {
    record Address(String ip) implements ClusterIp {
      public Address {
        Objects.requireNonNull(ip, "ip");
      }
    }

    record Headless() implements ClusterIp {}

    record Unset() implements ClusterIp {}
  }

  /** One of {@code spec.ports}. */
  public record ServicePort(String name, int port, TargetPort targetPort, String protocol, String appProtocol) {
    public ServicePort {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(targetPort, "targetPort");
      Objects.requireNonNull(protocol, "protocol");
      Objects.requireNonNull(appProtocol, "appProtocol");
    }
  }

  /** {@code targetPort}: a number, a port name of the endpoints, or absent (same as port). */
  public sealed interface TargetPort {
    record Number(int port) implements TargetPort {}

    record Named(String name) implements TargetPort {}

    record Same() implements TargetPort {}
  }
}
