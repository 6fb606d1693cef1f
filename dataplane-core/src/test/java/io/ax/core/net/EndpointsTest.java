package io.ax.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.net.Endpoints;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointsTest {

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource({"10.0.0.1:80, 10.0.0.1, 80", "192.168.1.1:1, 192.168.1.1, 1", "0.0.0.0:65535, 0.0.0.0, 65535"})
  void parse_ipColonPort_givesBoth(String text, String ip, int port) {
    Inet4Endpoint hp = Endpoints.parse("dest", text);

    assertThat(Endpoints.ip(hp)).isEqualTo(Ipv4.parse("ip", ip));
    assertThat(hp.port()).isEqualTo(port);
    assertThat(hp).hasToString(text);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"10.0.0.1", "10.0.0.1:", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:http", "10.0.0.1:-1", ":80", "10.0.0:80", "10.0.0.1:80:80", "", "10.0.0.1: 80"})
  void parse_malformed_failsNamingField(String text) {
    assertThatThrownBy(() -> Endpoints.parse("dest", text))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("dest: ");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(ints = {-1, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE})
  void new_portOutsideRange_fails(int port) {
    assertThatThrownBy(() -> Endpoints.of(Ipv4.ANY, port))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Integer.toString(port));
  }

  @Test
  void new_portZero_allowedForAnyPort() {
    assertThat(Endpoints.of(Ipv4.ANY, 0).port()).isZero();
  }

  @Test
  void compareTo_sortsByIpThenPort() {
    List<Inet4Endpoint> list =
        new ArrayList<>(List.of(Endpoints.of("10.0.0.2", 1), Endpoints.of("10.0.0.1", 90), Endpoints.of("200.0.0.1", 5), Endpoints.of("10.0.0.1", 80)));

    list.sort(null);

    assertThat(list).extracting(Inet4Endpoint::toString).containsExactly("10.0.0.1:80", "10.0.0.1:90", "10.0.0.2:1", "200.0.0.1:5");
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
  @CsvSource({"1, 1", "80, 80", "65535, 65535"})
  void portsParse_decimalInRange_givesPort(String text, int expected) {
    assertThat(Ports.parse("--port", text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", "0", "65536", "99999", "123456", "-1", "+80", "8o", " 80", "80 ", "٨٠"})
  void portsParse_notAPort_failsNamingFieldAndValue(String text) {
    assertThatThrownBy(() -> Ports.parse("--port", text))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("--port: ")
        .hasMessageContaining(text.isEmpty() ? "''" : text);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(longs = {0, -1, 65536, Long.MAX_VALUE, Long.MIN_VALUE})
  void portsCheck_outOfRange_failsNamingFieldAndValue(long port) {
    assertThatThrownBy(() -> Ports.check("vport", port))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("vport: ")
        .hasMessageContaining(Long.toString(port));
  }
}
