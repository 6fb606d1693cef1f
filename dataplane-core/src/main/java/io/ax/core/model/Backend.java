package io.ax.core.model;

import io.ax.core.net.Ipv4;
import io.ax.core.net.Ports;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A vservice backend: an IP and, optionally, its own port. Without a port the backend is reached
 * on the app port of the vport the client used. At connect time the IP first names service table
 * entries (matched by their service address); only when none match is it an external address.
 */
public record Backend(Ipv4 ip, OptionalInt port) {
  public Backend {
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(port, "port");
    port.ifPresent(p -> Ports.check("port", p));
  }

  public static Backend of(Ipv4 ip) {
    return new Backend(ip, OptionalInt.empty());
  }

  /** Parses {@code ip} or {@code ip:port}. */
  public static Backend parse(String field, String text) {
    String t = text.strip();
    int colon = t.indexOf(':');
    if (colon < 0) {
      return of(Ipv4.parse(field, t));
    }
    return new Backend(Ipv4.parse(field, t.substring(0, colon)), OptionalInt.of(Ports.parse(field, t.substring(colon + 1))));
  }

  @Override
  public String toString() {
    return port.isPresent() ? ip + ":" + port.getAsInt() : ip.toString();
  }
}
