package io.ax.xds.translate;

import java.util.Objects;

/** An Istio service port: the host and port of {@code outbound|PORT|SUBSET|HOST}. */
record HostPort(String host, int port) implements Comparable<HostPort> {
  HostPort {
    Objects.requireNonNull(host, "host");
  }

  @Override
  public int compareTo(HostPort o) {
    int c = host.compareTo(o.host);
    return c != 0 ? c : Integer.compare(port, o.port);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
