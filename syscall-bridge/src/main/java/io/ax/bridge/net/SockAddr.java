package io.ax.bridge.net;

import java.util.Arrays;

/**
 * A socket address as an app passed it: IPv4, IPv6 or AF_UNSPEC (a datagram "disconnect").
 * IPv6 addresses matter to the mesh only as IPv4-mapped ({@code ::ffff:a.b.c.d}), the any
 * address {@code ::} and loopback {@code ::1}: the mesh is IPv4, as AppSwitch's was.
 */
public sealed interface SockAddr permits SockAddr.V4, SockAddr.V6, SockAddr.Unspec {

  /** The IPv4 endpoint this address stands for; empty for native IPv6 and AF_UNSPEC. */
  java.util.Optional<Inet4Endpoint> inet4();

  /** {@code struct sockaddr_in}. */
  record V4(Inet4Endpoint endpoint) implements SockAddr {
    @Override
    public java.util.Optional<Inet4Endpoint> inet4() {
      return java.util.Optional.of(endpoint);
    }
  }

  /** {@code struct sockaddr_in6}; {@code address} has 16 bytes. */
  record V6(byte[] address, int port, int flowInfo, int scopeId) implements SockAddr {
    public V6 {
      if (address.length != 16) {
        throw new IllegalArgumentException("an IPv6 address has 16 bytes");
      }
      address = address.clone();
    }

    /** Which kind of IPv6 address this is, as far as the mesh cares. */
    public enum Kind {
      /** {@code ::ffff:a.b.c.d}: an IPv4 address in IPv6 form. */
      MAPPED,
      /** {@code ::}, the any address. */
      ANY,
      /** {@code ::1}. */
      LOOPBACK,
      /** Any other address: IPv6 proper, which the mesh does not carry. */
      NATIVE
    }

    public Kind kind() {
      boolean firstTenZero = true;
      for (int i = 0; i < 10; i++) {
        firstTenZero &= address[i] == 0;
      }
      if (firstTenZero && (address[10] & 0xff) == 0xff && (address[11] & 0xff) == 0xff) {
        return Kind.MAPPED;
      }
      boolean allZero = firstTenZero && address[10] == 0 && address[11] == 0 && address[12] == 0 && address[13] == 0 && address[14] == 0;
      if (allZero && address[15] == 0) {
        return Kind.ANY;
      }
      if (allZero && address[15] == 1) {
        return Kind.LOOPBACK;
      }
      return Kind.NATIVE;
    }

    /** The IPv4 endpoint this address stands for: mapped, any ({@code ::}) or loopback ({@code ::1}). */
    @Override
    public java.util.Optional<Inet4Endpoint> inet4() {
      return switch (kind()) {
        case MAPPED -> {
          int ip = ((address[12] & 0xff) << 24) | ((address[13] & 0xff) << 16) | ((address[14] & 0xff) << 8) | (address[15] & 0xff);
          yield java.util.Optional.of(new Inet4Endpoint(ip, port));
        }
        case ANY -> java.util.Optional.of(new Inet4Endpoint(0, port));
        case LOOPBACK -> java.util.Optional.of(new Inet4Endpoint(Inet4Endpoint.LOOPBACK, port));
        case NATIVE -> java.util.Optional.empty();
      };
    }

    @Override
    public byte[] address() {
      return address.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof V6 v && Arrays.equals(address, v.address) && port == v.port && flowInfo == v.flowInfo && scopeId == v.scopeId;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(address) * 31 + port;
    }

    @Override
    public String toString() {
      return "V6[" + java.util.HexFormat.of().formatHex(address) + "]:" + port;
    }
  }

  /** {@code AF_UNSPEC}: dissolves a datagram socket's association. */
  record Unspec() implements SockAddr {
    @Override
    public java.util.Optional<Inet4Endpoint> inet4() {
      return java.util.Optional.empty();
    }
  }
}
