package io.ax.xds.agent;

import java.util.Objects;

/**
 * Where the control plane listens: {@code HOST:PORT}, {@code [IPv6]:PORT}. istiod serves plaintext
 * xDS on 15010 and TLS (with a ServiceAccount token) on 15012.
 */
public record PilotAddress(String host, int port) {
  public static final int PLAINTEXT_PORT = 15010;
  public static final int TLS_PORT = 15012;

  public PilotAddress {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty() || host.length() > 253 || !host.chars().allMatch(c -> c > ' ' && c < 127)) {
      throw new IllegalArgumentException("host '" + host + "' is not valid (expected a host name or an IP address)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range (expected 1-65535)");
    }
  }

  /** Parses {@code HOST:PORT}; the message of the exception names the bad value and the form. */
  public static PilotAddress parse(String text) {
    Objects.requireNonNull(text, "text");
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf("]:");
      if (close < 0) {
        throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (expected e.g. istiod.istio-system.svc:15012 or [fd00::1]:15010)");
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || text.indexOf(':') != colon) {
        throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (expected e.g. istiod.istio-system.svc:15012 or [fd00::1]:15010)");
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "': port '" + port + "' is not a number (expected 1-65535)");
    }
    try {
      return new PilotAddress(host, p);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "': " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
