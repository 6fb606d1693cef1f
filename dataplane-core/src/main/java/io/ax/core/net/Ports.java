package io.ax.core.net;

import io.ax.core.field.InvalidFieldException;

/** Checks of TCP/UDP port numbers given by users. */
public final class Ports {
  private Ports() {}

  /** A port a service can use: 1-65535. */
  public static int check(String field, long port) {
    if (port < 1 || port > 65535) {
      throw new InvalidFieldException(field, "port " + port + " is out of range (expected 1-65535)");
    }
    return (int) port;
  }

  /** Parses a decimal port 1-65535. */
  public static int parse(String field, String text) {
    if (text == null || text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new InvalidFieldException(field, "'" + text + "' is not a port (expected 1-65535)");
    }
    return check(field, Integer.parseInt(text));
  }
}
