package io.ax.bridge.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.net.SockAddrCodec.BadAddressException;
import io.ax.bridge.sys.Sys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encode then decode gives back what went in, over a seeded random corpus of endpoints (the seed
 * is logged; replay a failure with {@code -Dax.test.seed=N}), and the bytes sit where the kernel
 * reads them: port and flow info in network order, sa_family and scope id in host order.
 */
class SockAddrCodecRoundTripTest {
  private static final Logger log = LoggerFactory.getLogger(SockAddrCodecRoundTripTest.class);
  private static final int CORPUS = 2_000;

  static SplittableRandom loggedRandom(String what) {
    String fixed = System.getProperty("ax.test.seed");
    long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
    log.info("[sockaddr-test {}] random seed {} (replay with -Dax.test.seed={})", what, seed, seed);
    return new SplittableRandom(seed);
  }

  /** Random endpoints plus the edges: any address, loopback, broadcast, ports 0, 1 and 65535. */
  static List<Inet4Endpoint> corpus(SplittableRandom random) {
    List<Inet4Endpoint> out = new ArrayList<>(List.of(
        new Inet4Endpoint(0, 0),
        new Inet4Endpoint(0, 80),
        new Inet4Endpoint(Inet4Endpoint.LOOPBACK, 1),
        new Inet4Endpoint(0xffffffff, 65535),
        new Inet4Endpoint(0x80000000, 32768),
        new Inet4Endpoint(0xc000020a, 40000)));
    while (out.size() < CORPUS) {
      out.add(new Inet4Endpoint(random.nextInt(), random.nextInt(65536)));
    }
    return out;
  }

  @ParameterizedTest(name = "socket family {0}")
  @ValueSource(ints = {Sys.AF_INET, Sys.AF_INET6})
  void encodeThenDecode_sockaddrInOnEitherSocket_givesSameEndpoint(int socketFamily) throws BadAddressException {
    for (Inet4Endpoint e : corpus(loggedRandom("v4 on " + socketFamily))) {
      byte[] b = SockAddrCodec.encode(e, Sys.AF_INET);

      assertThat(b).as("%s", e).hasSize(SockAddrCodec.SOCKADDR_IN_SIZE);
      assertThat(SockAddrCodec.decode(b, b.length, socketFamily)).as("%s", e).isEqualTo(new SockAddr.V4(e));
    }
  }

  @Test
  void encodeThenDecode_v4MappedOnInet6Socket_givesSameEndpoint() throws BadAddressException {
    for (Inet4Endpoint e : corpus(loggedRandom("v4-mapped"))) {
      byte[] b = SockAddrCodec.encode(e, Sys.AF_INET6);

      assertThat(b).as("%s", e).hasSize(SockAddrCodec.SOCKADDR_IN6_SIZE);
      SockAddr decoded = SockAddrCodec.decode(b, b.length, Sys.AF_INET6);
      assertThat(decoded).as("%s", e).isInstanceOf(SockAddr.V6.class);
      SockAddr.V6 v6 = (SockAddr.V6) decoded;
      assertThat(v6.port()).as("%s", e).isEqualTo(e.port());
      assertThat(v6.flowInfo()).isZero();
      assertThat(v6.scopeId()).isZero();
      assertThat(v6.inet4()).as("%s", e).contains(e);
    }
  }

  @Test
  void encodeThenDecode_randomSockaddrIn6_givesSameAddress() throws BadAddressException {
    SplittableRandom random = loggedRandom("v6");
    for (int i = 0; i < CORPUS; i++) {
      byte[] addr = new byte[16];
      random.nextBytes(addr);
      SockAddr.V6 v6 = new SockAddr.V6(addr, random.nextInt(65536), random.nextInt(), random.nextInt());

      byte[] b = SockAddrCodec.encode(v6);

      assertThat(b).hasSize(SockAddrCodec.SOCKADDR_IN6_SIZE);
      assertThat(SockAddrCodec.decode(b, b.length, Sys.AF_INET6)).isEqualTo(v6);
    }
  }

  @Test
  void encodeThenDecode_unspec_givesUnspec() throws BadAddressException {
    byte[] b = SockAddrCodec.encode(new SockAddr.Unspec());

    assertThat(SockAddrCodec.decode(b, b.length, Sys.AF_INET)).isEqualTo(new SockAddr.Unspec());
    assertThat(SockAddrCodec.decode(b, b.length, Sys.AF_INET6)).isEqualTo(new SockAddr.Unspec());
  }

  @Test
  void encodeSockAddr_v4_sameBytesAsEncodeEndpoint() {
    Inet4Endpoint e = new Inet4Endpoint(0x0a000001, 8080);

    assertThat(SockAddrCodec.encode(new SockAddr.V4(e))).isEqualTo(SockAddrCodec.encode(e, Sys.AF_INET));
  }

  @Test
  void encode_sockaddrIn_familyLittleEndianPortAndAddressNetworkOrder() {
    byte[] b = SockAddrCodec.encode(new Inet4Endpoint(0xc0000201, 0x1f90), Sys.AF_INET); // 192.0.2.1:8080

    assertThat(HexFormat.of().formatHex(b)).isEqualTo("0200" + "1f90" + "c0000201" + "0000000000000000");
  }

  @Test
  void encode_v4MappedOnInet6_layoutIsFfffPrefixed() {
    byte[] b = SockAddrCodec.encode(new Inet4Endpoint(0xc0000201, 0x1f90), Sys.AF_INET6);

    assertThat(HexFormat.of().formatHex(b))
        .isEqualTo("0a00" + "1f90" + "00000000" + "00000000000000000000ffff" + "c0000201" + "00000000");
  }

  @Test
  void encode_anyAddressOnInet6_staysV4MappedNotUnspecified() {
    byte[] b = SockAddrCodec.encode(new Inet4Endpoint(0, 53), Sys.AF_INET6);

    // ::ffff:0.0.0.0, never "::" (which connect() would take as IPv6 loopback).
    assertThat(Arrays.copyOfRange(b, 8, 24)).isEqualTo(HexFormat.of().parseHex("00000000000000000000ffff00000000"));
  }

  @Test
  void encodeSockAddr_v6_flowInfoNetworkOrderScopeIdHostOrder() {
    byte[] addr = HexFormat.of().parseHex("20010db8000000000000000000000001");

    byte[] b = SockAddrCodec.encode(new SockAddr.V6(addr, 443, 0x01020304, 0x0a0b0c0d));

    assertThat(HexFormat.of().formatHex(b)).isEqualTo("0a00" + "01bb" + "01020304" + "20010db8000000000000000000000001" + "0d0c0b0a");
  }

  @Test
  void encodeBind_anyAddressOnInet6_isUnspecifiedAddress() throws BadAddressException {
    byte[] b = SockAddrCodec.encodeBind(new Inet4Endpoint(0, 40000), Sys.AF_INET6);

    assertThat(b).hasSize(SockAddrCodec.SOCKADDR_IN6_SIZE);
    assertThat(Arrays.copyOfRange(b, 8, 24)).containsOnly(0);
    SockAddr.V6 v6 = (SockAddr.V6) SockAddrCodec.decode(b, b.length, Sys.AF_INET6);
    assertThat(v6.inet4()).contains(new Inet4Endpoint(0, 40000));
  }

  @Test
  void encodeBind_anyAddressOnInet4_isPlainSockaddrIn() {
    Inet4Endpoint any = new Inet4Endpoint(0, 40000);

    assertThat(SockAddrCodec.encodeBind(any, Sys.AF_INET)).isEqualTo(SockAddrCodec.encode(any, Sys.AF_INET));
  }

  @ParameterizedTest(name = "socket family {0}")
  @ValueSource(ints = {Sys.AF_INET, Sys.AF_INET6})
  void encodeBind_notAnyAddress_sameAsEncode(int socketFamily) {
    for (Inet4Endpoint e : corpus(loggedRandom("bind on " + socketFamily))) {
      if (e.isAnyAddress()) {
        continue;
      }
      assertThat(SockAddrCodec.encodeBind(e, socketFamily)).as("%s", e).isEqualTo(SockAddrCodec.encode(e, socketFamily));
    }
  }
}
