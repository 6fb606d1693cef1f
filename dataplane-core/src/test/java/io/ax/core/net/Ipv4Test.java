package io.ax.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.core.field.InvalidFieldException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4Test {

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource({
    "0.0.0.0,         0x00000000",
    "10.0.0.1,        0x0a000001",
    "127.0.0.1,       0x7f000001",
    "192.168.1.254,   0xc0a801fe",
    "1.2.3.4,         0x01020304",
    "255.255.255.255, 0xffffffff",
    "128.0.0.0,       0x80000000",
    "10.20.30.40,     0x0a141e28",
  })
  void parse_dottedQuad_givesBitsAndPrintsBack(String text, String hexBits) {
    Ipv4 ip = Ipv4.parse("ip", text);

    assertThat(ip.bits()).isEqualTo(Integer.parseUnsignedInt(hexBits.substring(2), 16));
    assertThat(ip).hasToString(text);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(
      strings = {
        "1.2.3", // missing octet
        "1.2.3.", // empty last octet
        ".1.2.3",
        "1..2.3",
        "1.2.3.4.", // trailing dot
        "1.2.3.4.5", // five octets
        "256.0.0.1", // over 255
        "1.2.3.256",
        "1.2.3.1000",
        "99999999999.1.1.1", // would overflow an int if not bounded per digit
        "01.2.3.4", // leading zero: octal to inet_aton
        "1.2.3.04",
        "1.2.00.4",
        "10.1", // inet_aton's shortened form
        "167772161", // a bare 32-bit number
        "0x0a.0.0.1", // hex
        "a.b.c.d",
        "1.2.3.4 ",
        " 1.2.3.4",
        "1.2.3.-4",
        "+1.2.3.4",
        "1.2.3.4:80",
        "1.2.3.٤", // a non-ASCII digit (Arabic-Indic four)
        "::1",
        ".",
        "....",
      })
  void parse_notADottedQuad_failsNamingFieldAndValue(String text) {
    assertThatThrownBy(() -> Ipv4.parse("backendips[1]", text))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("backendips[1]: ")
        .hasMessageContaining("'" + text + "'")
        .satisfies(e -> assertThat(((InvalidFieldException) e).field()).isEqualTo("backendips[1]"));
  }

  @ParameterizedTest
  @NullAndEmptySource
  void parse_nullOrEmpty_failsNamingField(String text) {
    assertThatThrownBy(() -> Ipv4.parse("--ip", text))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("--ip: ")
        .hasMessageContaining("required");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"0.0.0.0", "10.0.0.1", "172.16.254.3", "255.255.255.255", "128.129.130.131"})
  void toBytes_thenFromBytes_roundTrips(String text) {
    Ipv4 ip = Ipv4.parse("ip", text);

    assertThat(Ipv4.fromBytes(ip.toBytes())).isEqualTo(ip);
  }

  @Test
  void toBytes_givesNetworkOrder() {
    assertThat(Ipv4.parse("ip", "192.168.1.2").toBytes()).containsExactly((byte) 192, (byte) 168, (byte) 1, (byte) 2);
  }

  @ParameterizedTest(name = "[{index}] {0} bytes")
  @ValueSource(ints = {0, 3, 5, 16})
  void fromBytes_wrongLength_fails(int length) {
    assertThatThrownBy(() -> Ipv4.fromBytes(new byte[length]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Integer.toString(length));
  }

  @ParameterizedTest(name = "[{index}] {0} < {1}")
  @CsvSource({
    "0.0.0.0,         0.0.0.1",
    "10.0.0.1,        10.0.0.2",
    "127.255.255.255, 128.0.0.0", // the sign bit: comparison must be unsigned
    "9.255.255.255,   10.0.0.0",
    "254.255.255.255, 255.255.255.255",
  })
  void compareTo_ordersAsUnsignedAddresses(String lower, String higher) {
    Ipv4 low = Ipv4.parse("ip", lower);
    Ipv4 high = Ipv4.parse("ip", higher);

    assertThat(low).isLessThan(high);
    assertThat(high).isGreaterThan(low);
    assertThat(low.compareTo(Ipv4.parse("ip", lower))).isZero();
  }

  @Test
  void isAny_onlyForZeroAddress() {
    assertThat(Ipv4.parse("ip", "0.0.0.0").isAny()).isTrue();
    assertThat(Ipv4.ANY.isAny()).isTrue();
    assertThat(Ipv4.parse("ip", "0.0.0.1").isAny()).isFalse();
    assertThat(Ipv4.parse("ip", "255.255.255.255").isAny()).isFalse();
  }
}
