package io.ax.bridge.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link SockAddr.V6}: which IPv6 addresses stand for IPv4 ones, and the record's value semantics. */
class SockAddrTest {

  static SockAddr.V6 v6(String hex, int port) {
    return new SockAddr.V6(HexFormat.of().parseHex(hex), port, 0, 0);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // IPv4-mapped ::ffff:a.b.c.d
    "00000000000000000000ffff0a010203, 10.1.2.3:8080",
    "00000000000000000000ffff7f000001, 127.0.0.1:8080",
    "00000000000000000000ffff00000000, 0.0.0.0:8080",
    "00000000000000000000ffffffffffff, 255.255.255.255:8080",
    // :: and ::1
    "00000000000000000000000000000000, 0.0.0.0:8080",
    "00000000000000000000000000000001, 127.0.0.1:8080",
  })
  void inet4_mappedAnyOrLoopback_givesIpv4Endpoint(String hex, String expected) {
    assertThat(v6(hex, 8080).inet4()).map(Inet4Endpoint::toString).contains(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "00000000000000000000ffff0a010203, MAPPED",
    "00000000000000000000ffff00000000, MAPPED",
    "00000000000000000000000000000000, ANY",
    "00000000000000000000000000000001, LOOPBACK",
    "00000000000000000000000000000100, NATIVE",
    "00000000000000000000fffeffffffff, NATIVE",
    "000000000000000000000000c0000201, NATIVE",
    "fe800000000000000000000000000001, NATIVE",
  })
  void kind_tellsMappedAnyLoopbackAndNative(String hex, SockAddr.V6.Kind expected) {
    assertThat(v6(hex, 80).kind()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
    "00000000000000000000000000000002", // ::2
    "00000000000000000000000001000000", // ::1.0.0.0 (IPv4-compatible, deprecated): not ours
    "000000000000000000000000c0000201", // ::192.0.2.1
    "00000000000000000000fffeffffffff", // ::fffe:...: one bit short of mapped
    "00000000000000000000ff00c0000201",
    "000000000000000000000fff0a010203",
    "000000000000000000010000ffff0a01", // ffff in the wrong place
    "00000000000000000001ffff0a010203", // a non-zero byte before the ffff
    "10000000000000000000ffff0a010203",
    "00000000000000000000000000000100", // ::0.0.1.0: not ::1
    "00000000000000000000000100000001",
    "20010db8000000000000000000000001", // 2001:db8::1
    "fe800000000000000000000000000001", // fe80::1
    "ffffffffffffffffffffffffffffffff",
  })
  void inet4_otherIpv6_isEmpty(String hex) {
    assertThat(v6(hex, 80).inet4()).isEmpty();
  }

  @Test
  void inet4_keepsPortEvenAtTheEdges() {
    assertThat(v6("00000000000000000000ffff0a010203", 65535).inet4()).contains(new Inet4Endpoint(0x0a010203, 65535));
    assertThat(v6("00000000000000000000000000000000", 0).inet4()).contains(new Inet4Endpoint(0, 0));
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 4, 15, 17, 28})
  void v6_addressNotSixteenBytes_isRefused(int size) {
    assertThatThrownBy(() -> new SockAddr.V6(new byte[size], 80, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16 bytes");
  }

  @Test
  void v6_callerMutatesItsArray_addressUnchanged() {
    byte[] given = HexFormat.of().parseHex("00000000000000000000ffff0a010203");
    SockAddr.V6 v6 = new SockAddr.V6(given, 80, 0, 0);

    given[15] = 9;
    v6.address()[14] = 9;

    assertThat(v6.address()).isEqualTo(HexFormat.of().parseHex("00000000000000000000ffff0a010203"));
    assertThat(v6.inet4()).contains(new Inet4Endpoint(0x0a010203, 80));
  }

  @Test
  void v6_equalContentInOtherArrays_equalWithSameHash() {
    SockAddr.V6 a = new SockAddr.V6(HexFormat.of().parseHex("20010db8000000000000000000000001"), 80, 5, 6);
    SockAddr.V6 b = new SockAddr.V6(HexFormat.of().parseHex("20010db8000000000000000000000001"), 80, 5, 6);

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
  }

  @ParameterizedTest(name = "differs in {0}")
  @ValueSource(strings = {"address", "port", "flowInfo", "scopeId"})
  void v6_oneFieldDiffers_notEqual(String field) {
    byte[] addr = HexFormat.of().parseHex("20010db8000000000000000000000001");
    SockAddr.V6 base = new SockAddr.V6(addr, 80, 5, 6);
    byte[] other = addr.clone();
    other[15] = 2;

    SockAddr.V6 changed = switch (field) {
      case "address" -> new SockAddr.V6(other, 80, 5, 6);
      case "port" -> new SockAddr.V6(addr, 81, 5, 6);
      case "flowInfo" -> new SockAddr.V6(addr, 80, 4, 6);
      case "scopeId" -> new SockAddr.V6(addr, 80, 5, 7);
      default -> throw new AssertionError(field);
    };

    assertThat(changed).isNotEqualTo(base);
  }

  @Test
  void v6_toString_showsAddressInHexAndPort() {
    assertThat(v6("20010db8000000000000000000000001", 443)).hasToString("V6[20010db8000000000000000000000001]:443");
  }

  @ParameterizedTest(name = "port {0}")
  @ValueSource(ints = {-1, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE})
  void inet4Endpoint_portOutOfRange_isRefused(int port) {
    assertThatThrownBy(() -> new Inet4Endpoint(1, port)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(port));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "0x00000000, 0.0.0.0:80, true, false",
    "0x7f000001, 127.0.0.1:80, false, true",
    "0x7fffffff, 127.255.255.255:80, false, true",
    "0x80000000, 128.0.0.0:80, false, false",
    "0xffffffff, 255.255.255.255:80, false, false",
    "0x0a000001, 10.0.0.1:80, false, false",
  })
  void inet4Endpoint_address_printsDottedQuadAndClassifies(String hex, String text, boolean any, boolean loopback) {
    Inet4Endpoint e = new Inet4Endpoint(Integer.parseUnsignedInt(hex.substring(2), 16), 80);

    assertThat(e).hasToString(text);
    assertThat(e.isAnyAddress()).isEqualTo(any);
    assertThat(e.isLoopback()).isEqualTo(loopback);
  }
}
