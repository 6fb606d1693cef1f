package io.ax.xds.pilot.mesh;

import java.util.Locale;

/**
 * How istiod serves a port: HTTP ports get the shared {@code 0.0.0.0_PORT} listener with RDS, every
 * other TCP port a {@code VIP_PORT} listener with tcp_proxy. Istio's protocol selection: an explicit
 * protocol or appProtocol, else the port name's prefix before the first '-'
 * (https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/).
 */
public enum Protocol {
  HTTP,
  TCP,
  /** UDP and SCTP: not served over xDS listeners or clusters. */
  UNSUPPORTED;

  /**
   * @param protocol Kubernetes' L4 protocol (TCP, UDP, SCTP) or a ServiceEntry's protocol (HTTP,
   *     GRPC, TCP...); empty when unset
   */
  public static Protocol of(String name, String appProtocol, String protocol) {
    String p = protocol.toUpperCase(Locale.ROOT);
    if (p.equals("UDP") || p.equals("SCTP")) {
      return UNSUPPORTED;
    }
    if (!p.isEmpty() && !p.equals("TCP")) {
      return http(p) ? HTTP : TCP;
    }
    if (!appProtocol.isEmpty()) {
      String a = appProtocol.toUpperCase(Locale.ROOT);
      // Kubernetes' standard names: kubernetes.io/h2c, kubernetes.io/ws...
      return http(a) || a.equals("KUBERNETES.IO/H2C") || a.equals("KUBERNETES.IO/WS") ? HTTP : TCP;
    }
    String prefix = name.contains("-") ? name.substring(0, name.indexOf('-')) : name;
    return http(prefix.toUpperCase(Locale.ROOT)) ? HTTP : TCP;
  }

  private static boolean http(String p) {
    return switch (p) {
      case "HTTP", "HTTP2", "GRPC", "GRPC-WEB", "H2C" -> true;
      default -> false;
    };
  }
}
