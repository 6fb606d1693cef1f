package io.ax.bridge.net;

/**
 * An IPv4 address (32 bits, host order) and a port (0 only for "any port"): the one endpoint
 * type of ax. The bridge decodes it from an app's sockaddr and hands it to the
 * {@link io.ax.bridge.SocketPolicy}; the daemon's model, decisions, service table and admin
 * conversions use it as is. Parsing user text into it (with errors naming the field) is the
 * daemon's business. Immutable and thread-safe.
 *
 * <p>Ordered by address (unsigned) and then port, so sorted listings read naturally.
 */
public record Inet4Endpoint(int ip, int port) implements Comparable<Inet4Endpoint> {
  public static final int LOOPBACK = 0x7f000001;

  public Inet4Endpoint {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
  }

  public boolean isAnyAddress() {
    return ip == 0;
  }

  /** 127.0.0.0/8. */
  public boolean isLoopback() {
    return (ip >>> 24) == 127;
  }

  @Override
  public int compareTo(Inet4Endpoint o) {
    int c = Integer.compareUnsigned(ip, o.ip);
    return c != 0 ? c : Integer.compare(port, o.port);
  }

  /** {@code a.b.c.d:port}. */
  @Override
  public String toString() {
    return (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff) + ":" + port;
  }
}
