package io.ax.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.net.Ipv4;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code ax run --expose} in its three forms, and what is refused. */
class ExposedPortTest {
  static final Ipv4 NODE = Ipv4.parse("ip", "192.0.2.10");

  @ParameterizedTest(name = "''{0}''")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
    // text                     | app port | node ip (none: this node's addresses; 0.0.0.0: every node) | host port
    "80:8080                    | 80       |                      | 8080",
    "80:192.0.2.10:8080         | 80       | 192.0.2.10           | 8080",
    "80:0.0.0.0:8080            | 80       | 0.0.0.0              | 8080",
    "\"  443:8443 \"            | 443      |                      | 8443",
    "1:65535                    | 1        |                      | 65535",
    "65535:1                    | 65535    |                      | 1",
    "8080:192.0.2.10:80         | 8080     | 192.0.2.10           | 80",
  })
  void parse_validForm_givesPortsAndNodeIp(String text, int appPort, String nodeIp, int hostPort) {
    ExposedPort x = ExposedPort.parse(text, NODE);

    assertThat(x).isEqualTo(new ExposedPort(appPort, Optional.ofNullable(nodeIp).map(ip -> Ipv4.parse("ip", ip)), hostPort));
    assertThat(x.everyNode()).isEqualTo("0.0.0.0".equals(nodeIp));
  }

  @ParameterizedTest(name = "''{0}''")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
    // text                          | the message names
    "\"\"                            | is not APPPORT:HOSTPORT",
    "80                              | '80' is not APPPORT:HOSTPORT",
    "80:192.0.2.10:8080:1            | is not APPPORT:HOSTPORT",
    "80::192.0.2.10:8080             | is not APPPORT:HOSTPORT",
    "80:                             | '' is not a port",
    ":8080                           | '' is not a port",
    "http:8080                       | 'http' is not a port",
    "80:-1                           | '-1' is not a port",
    "80:+80                          | '+80' is not a port",
    "0:8080                          | port 0 is out of range",
    "80:0                            | port 0 is out of range",
    "80:65536                        | port 65536 is out of range",
    "99999:80                        | port 99999 is out of range",
    "80:123456                       | '123456' is not a port",
    "80:198.51.100.7:8080            | 198.51.100.7 is not the IP of a node of this cluster (this node's is 192.0.2.10)",
    "80:127.0.0.1:8080               | 127.0.0.1 is not the IP of a node of this cluster",
    "80:192.0.2:8080                 | '192.0.2' is not an IPv4 address",
    "80:node-1:8080                  | 'node-1' is not an IPv4 address",
    "80::8080                        | an IPv4 address is required",
    "80:192.0.2.10:0                 | port 0 is out of range",
    "0:192.0.2.10:80                 | port 0 is out of range",
    "80 : 8080                       | '80 ' is not a port",
  })
  void parse_badText_refusedNamingExpose(String text, String fragment) {
    assertThatThrownBy(() -> ExposedPort.parse(text, NODE))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("--expose: ")
        .hasMessageContaining(fragment)
        .satisfies(e -> assertThat(((InvalidFieldException) e).field()).isEqualTo("--expose"));
  }

  @org.junit.jupiter.api.Test
  void parse_anotherNodesIp_isTakenWhenItIsANodeOfTheCluster() {
    Ipv4 node2 = Ipv4.parse("ip", "192.0.2.20");

    ExposedPort x = ExposedPort.parse("80:192.0.2.20:8080", NODE, node2::equals);

    assertThat(x.nodeIp()).hasValue(node2);
    assertThat(x.on(node2)).isTrue();
    assertThat(x.on(NODE)).isFalse();
    assertThat(ExposedPort.parse("80:0.0.0.0:8080", NODE).on(node2)).isTrue();
    assertThat(ExposedPort.parse("80:8080", NODE).on(NODE)).as("the app's node binds it; no proxy anywhere").isFalse();
    assertThatThrownBy(() -> ExposedPort.parse("80:192.0.2.30:8080", NODE, node2::equals)).hasMessageContaining("192.0.2.30 is not the IP of a node of this cluster");
  }
}
