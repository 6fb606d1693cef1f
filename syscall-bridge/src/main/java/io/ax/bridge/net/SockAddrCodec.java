package io.ax.bridge.net;

import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;

/**
 * Reads and writes {@code struct sockaddr_in} and {@code sockaddr_in6} as the kernel does, from
 * bytes an app handed over (hostile input: every length is checked, as in
 * {@code net/ipv4/af_inet.c} and {@code net/ipv6/af_inet6.c}). Pure; see the round-trip tests.
 */
public final class SockAddrCodec {
  public static final int SOCKADDR_IN_SIZE = 16;
  public static final int SOCKADDR_IN6_SIZE = 28;
  /** The kernel accepts RFC 2133's 24-byte sockaddr_in6 (no scope id). */
  static final int SOCKADDR_IN6_MIN = 24;
  /** sizeof(struct sockaddr_storage): no app address is longer. */
  public static final int MAX_SIZE = 128;

  private SockAddrCodec() {}

  /** A sockaddr the kernel would refuse; {@link #errno()} is what it would answer. */
  public static final class BadAddressException extends Exception {
    private final int errno;

    public BadAddressException(int errno, String message) {
      super(message, null, false, false);
      this.errno = errno;
    }

    public int errno() {
      return errno;
    }
  }

  /**
   * Decodes {@code len} bytes for a socket of {@code socketFamily}.
   *
   * @throws BadAddressException EINVAL for a short length, EAFNOSUPPORT for a family the socket
   *     cannot take
   */
  public static SockAddr decode(byte[] buf, int len, int socketFamily) throws BadAddressException {
    if (len < 2 || len > buf.length) {
      throw new BadAddressException(Errno.EINVAL, "address length " + len + " is too short");
    }
    int family = (buf[0] & 0xff) | ((buf[1] & 0xff) << 8); // sa_family_t, host order (little endian)
    if (family == Sys.AF_UNSPEC) {
      return new SockAddr.Unspec();
    }
    if (family == Sys.AF_INET) {
      if (len < SOCKADDR_IN_SIZE) {
        throw new BadAddressException(Errno.EINVAL, "sockaddr_in needs " + SOCKADDR_IN_SIZE + " bytes, got " + len);
      }
      if (socketFamily != Sys.AF_INET && socketFamily != Sys.AF_INET6) {
        throw new BadAddressException(Errno.EAFNOSUPPORT, "AF_INET address on a socket of family " + socketFamily);
      }
      return new SockAddr.V4(new Inet4Endpoint(int32be(buf, 4), port(buf)));
    }
    if (family == Sys.AF_INET6) {
      if (socketFamily != Sys.AF_INET6) {
        throw new BadAddressException(Errno.EAFNOSUPPORT, "AF_INET6 address on an IPv4 socket");
      }
      if (len < SOCKADDR_IN6_MIN) {
        throw new BadAddressException(Errno.EINVAL, "sockaddr_in6 needs " + SOCKADDR_IN6_MIN + " bytes, got " + len);
      }
      byte[] addr = new byte[16];
      System.arraycopy(buf, 8, addr, 0, 16);
      int scope = len >= SOCKADDR_IN6_SIZE ? int32le(buf, 24) : 0;
      return new SockAddr.V6(addr, port(buf), int32be(buf, 4), scope);
    }
    throw new BadAddressException(Errno.EAFNOSUPPORT, "address family " + family + " is not IPv4 or IPv6");
  }

  /**
   * Encodes an IPv4 endpoint for a socket of {@code socketFamily}: always IPv4-mapped on an IPv6
   * socket, so 0.0.0.0 stays IPv4 ({@code ::} would mean IPv6 loopback to connect).
   */
  public static byte[] encode(Inet4Endpoint e, int socketFamily) {
    if (socketFamily == Sys.AF_INET6) {
      byte[] b = new byte[SOCKADDR_IN6_SIZE];
      b[0] = (byte) Sys.AF_INET6;
      putPort(b, e.port());
      b[18] = (byte) 0xff;
      b[19] = (byte) 0xff;
      putInt32be(b, 20, e.ip());
      return b;
    }
    byte[] b = new byte[SOCKADDR_IN_SIZE];
    b[0] = (byte) Sys.AF_INET;
    putPort(b, e.port());
    putInt32be(b, 4, e.ip());
    return b;
  }

  /**
   * Encodes the local address of a bind: on an IPv6 socket the any address is {@code ::}, which
   * serves IPv4 as well unless the app asked for IPV6_V6ONLY.
   */
  public static byte[] encodeBind(Inet4Endpoint e, int socketFamily) {
    if (socketFamily == Sys.AF_INET6 && e.isAnyAddress()) {
      byte[] b = new byte[SOCKADDR_IN6_SIZE];
      b[0] = (byte) Sys.AF_INET6;
      putPort(b, e.port());
      return b;
    }
    return encode(e, socketFamily);
  }

  /** Encodes any decoded address back, e.g. to perform the app's call as it was. */
  public static byte[] encode(SockAddr a) {
    return switch (a) {
      case SockAddr.V4 v4 -> encode(v4.endpoint(), Sys.AF_INET);
      case SockAddr.V6 v6 -> {
        byte[] b = new byte[SOCKADDR_IN6_SIZE];
        b[0] = (byte) Sys.AF_INET6;
        putPort(b, v6.port());
        putInt32be(b, 4, v6.flowInfo());
        System.arraycopy(v6.address(), 0, b, 8, 16);
        b[24] = (byte) v6.scopeId();
        b[25] = (byte) (v6.scopeId() >>> 8);
        b[26] = (byte) (v6.scopeId() >>> 16);
        b[27] = (byte) (v6.scopeId() >>> 24);
        yield b;
      }
      case SockAddr.Unspec u -> new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    };
  }

  private static int port(byte[] b) {
    return ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }

  private static void putPort(byte[] b, int port) {
    b[2] = (byte) (port >>> 8);
    b[3] = (byte) port;
  }

  private static int int32be(byte[] b, int off) {
    return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
  }

  private static int int32le(byte[] b, int off) {
    return (b[off] & 0xff) | ((b[off + 1] & 0xff) << 8) | ((b[off + 2] & 0xff) << 16) | ((b[off + 3] & 0xff) << 24);
  }

  private static void putInt32be(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }
}
