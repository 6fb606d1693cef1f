package io.ax.core.net;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.field.InvalidFieldException;
import java.util.Objects;

/**
 * The daemon's functions over the bridge's {@link Inet4Endpoint}, the one endpoint type of ax:
 * building one from an {@link Ipv4}, and parsing {@code ip:port} that users and peers give, with
 * errors that name the field. Stateless.
 */
public final class Endpoints {
  private Endpoints() {}

  /** {@code ip:port}; port 0 means "any port". */
  public static Inet4Endpoint of(Ipv4 ip, int port) {
    Objects.requireNonNull(ip, "ip");
    return new Inet4Endpoint(ip.bits(), port);
  }

  /** {@code ip:port} from a dotted quad, which must be valid (an error names the field {@code ip}). */
  public static Inet4Endpoint of(String ip, int port) {
    return of(Ipv4.parse("ip", ip), port);
  }

  /** The address of {@code endpoint}. */
  public static Ipv4 ip(Inet4Endpoint endpoint) {
    return new Ipv4(endpoint.ip());
  }

  /**
   * Parses {@code ip:port} (port 1-65535).
   *
   * @throws InvalidFieldException naming {@code field} and the text
   */
  public static Inet4Endpoint parse(String field, String text) {
    int colon = text == null ? -1 : text.lastIndexOf(':');
    if (colon < 0) {
      throw new InvalidFieldException(field, "'" + text + "' is not ip:port");
    }
    return of(Ipv4.parse(field, text.substring(0, colon)), Ports.parse(field, text.substring(colon + 1)));
  }
}
