package io.ax.core.net;

import io.ax.core.model.InvalidFieldException;
import java.util.Objects;

/** An IPv4 address and a TCP/UDP port (0 only for "any port"). Immutable. */
public record HostPort(Ipv4 ip, int port) implements Comparable<HostPort> {
  public HostPort {
    Objects.requireNonNull(ip, "ip");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
  }

  public static HostPort of(String ip, int port) {
    return new HostPort(Ipv4.parse("ip", ip), port);
  }

  /** Parses {@code ip:port}. */
  public static HostPort parse(String field, String text) {
    int colon = text == null ? -1 : text.lastIndexOf(':');
    if (colon < 0) {
      throw new InvalidFieldException(field, "'" + text + "' is not ip:port");
    }
    return new HostPort(Ipv4.parse(field, text.substring(0, colon)), Ports.parse(field, text.substring(colon + 1)));
  }

  @Override
  public int compareTo(HostPort o) {
    int c = ip.compareTo(o.ip);
    return c != 0 ? c : Integer.compare(port, o.port);
  }

  @Override
  public String toString() {
    return ip + ":" + port;
  }
}
