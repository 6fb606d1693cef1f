package io.ax.bridge.net;

/**
 * An IPv4 address (32 bits, host order) and a port: how the bridge speaks of addresses to the
 * {@link io.ax.bridge.SocketPolicy}. Immutable.
 */
public record Inet4Endpoint(int ip, int port) {
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
  public String toString() {
    return (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff) + ":" + port;
  }
}
