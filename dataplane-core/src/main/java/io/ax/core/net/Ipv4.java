package io.ax.core.net;

import io.ax.core.field.InvalidFieldException;

/**
 * An IPv4 address as its 32 bits. ax speaks IPv4 only, as AppSwitch did; parsing accepts only
 * the dotted-quad form (no hex, octal or shortened forms such as {@code 10.1}, which
 * {@code inet_aton} would accept and users rarely mean). Immutable and thread-safe.
 */
public record Ipv4(int bits) implements Comparable<Ipv4> {
  public static final Ipv4 ANY = new Ipv4(0);

  /** Parses {@code a.b.c.d}; the field name goes into the error. */
  public static Ipv4 parse(String field, String text) {
    if (text == null || text.isEmpty()) {
      throw new InvalidFieldException(field, "an IPv4 address is required");
    }
    int bits = 0;
    int octets = 0;
    int value = -1;
    for (int i = 0; i <= text.length(); i++) {
      char c = i < text.length() ? text.charAt(i) : '.';
      if (c >= '0' && c <= '9') {
        // Leading zeros are refused: "010" is octal to inet_aton and decimal to others.
        if (value == 0) {
          throw notAnAddress(field, text);
        }
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) {
          throw notAnAddress(field, text);
        }
      } else if (c == '.' && value >= 0 && octets < 4) {
        bits = (bits << 8) | value;
        octets++;
        value = -1;
      } else {
        throw notAnAddress(field, text);
      }
    }
    if (octets != 4) {
      throw notAnAddress(field, text);
    }
    return new Ipv4(bits);
  }

  /** True for 0.0.0.0. */
  public boolean isAny() {
    return bits == 0;
  }

  /** The address as 4 bytes in network order. */
  public byte[] toBytes() {
    return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
  }

  public static Ipv4 fromBytes(byte[] b) {
    if (b.length != 4) {
      throw new IllegalArgumentException("an IPv4 address has 4 bytes, got " + b.length);
    }
    return new Ipv4(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff));
  }

  @Override
  public int compareTo(Ipv4 o) {
    return Integer.compareUnsigned(bits, o.bits);
  }

  @Override
  public String toString() {
    return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
  }

  private static InvalidFieldException notAnAddress(String field, String text) {
    return new InvalidFieldException(field, "'" + text + "' is not an IPv4 address (expected a.b.c.d)");
  }
}
