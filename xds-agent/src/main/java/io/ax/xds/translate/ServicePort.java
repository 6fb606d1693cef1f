package io.ax.xds.translate;

import java.util.Objects;

/**
 * An Istio service port: the service's host name and port number, as in
 * {@code outbound|PORT|SUBSET|HOST} (not an address: the host is a DNS name such as
 * {@code reviews.default.svc.cluster.local}). Immutable.
 */
record ServicePort(String host, int port) implements Comparable<ServicePort> {
  ServicePort {
    Objects.requireNonNull(host, "host");
  }

  @Override
  public int compareTo(ServicePort o) {
    int c = host.compareTo(o.host);
    return c != 0 ? c : Integer.compare(port, o.port);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
