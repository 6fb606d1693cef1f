package io.ax.xds.resource;

import java.util.Objects;

/**
 * An Envoy {@code core.v3.Address} as the agent sees it: an IPv4 or IPv6 socket address, a DNS
 * name (STRICT_DNS and LOGICAL_DNS clusters), a unix pipe or an Envoy internal address. Only
 * {@link Ipv4} can become a vservice backend; translation reports the others.
 */
public sealed interface XdsAddress {
  /** How notes print it: {@code 10.0.0.1:9080}, {@code [fd00::1]:9080}, {@code pipe:/x}. */
  String display();

  /** Whether {@code s} is a dotted-quad IPv4 address ({@code 10.96.36.43}), without leading zeros. */
  static boolean isIpv4(String s) {
    return Addresses.isIpv4(s);
  }

  /** A dotted-quad IPv4 address and a port (0 only where Envoy allows it, e.g. listeners). */
  record Ipv4(String ip, int port) implements XdsAddress {
    public Ipv4 {
      Objects.requireNonNull(ip, "ip");
      checkPort(port);
    }

    @Override
    public String display() {
      return ip + ":" + port;
    }
  }

  record Ipv6(String ip, int port) implements XdsAddress {
    public Ipv6 {
      Objects.requireNonNull(ip, "ip");
      checkPort(port);
    }

    @Override
    public String display() {
      return "[" + ip + "]:" + port;
    }
  }

  /** A name that DNS resolves, as in a STRICT_DNS cluster ({@code www.google.com:443}). */
  record Hostname(String host, int port) implements XdsAddress {
    public Hostname {
      Objects.requireNonNull(host, "host");
      checkPort(port);
    }

    @Override
    public String display() {
      return host + ":" + port;
    }
  }

  record Pipe(String path) implements XdsAddress {
    public Pipe {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String display() {
      return "pipe:" + path;
    }
  }

  /** An Envoy internal listener address (ambient waypoints use them). */
  record Internal(String serverListenerName, String endpointId) implements XdsAddress {
    public Internal {
      Objects.requireNonNull(serverListenerName, "serverListenerName");
      Objects.requireNonNull(endpointId, "endpointId");
    }

    @Override
    public String display() {
      return "internal:" + serverListenerName + (endpointId.isEmpty() ? "" : "/" + endpointId);
    }
  }

  private static void checkPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
    }
  }
}
