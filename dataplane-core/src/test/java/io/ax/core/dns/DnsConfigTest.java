package io.ax.core.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.core.field.InvalidFieldException;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DnsConfigTest {

  @Test
  void parseServers_ipsWithAndWithoutPort_port53ByDefault() {
    List<InetSocketAddress> servers = DnsConfig.parseServers("--dns-servers", "127.0.0.1:5533, 8.8.8.8");

    assertThat(servers).containsExactly(new InetSocketAddress("127.0.0.1", 5533), new InetSocketAddress("8.8.8.8", 53));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  "})
  void parseServers_blank_none(String csv) {
    assertThat(DnsConfig.parseServers("--dns-servers", csv)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      8.8.8.8,,1.1.1.1        | empty item
      dns.google              | 'dns.google' is not IP[:port]
      8.8.8.8:0               | '8.8.8.8:0' is not IP[:port]
      8.8.8.8:70000           | '8.8.8.8:70000'
      8.8.8.8:                | '8.8.8.8:'
      256.1.1.1               | '256.1.1.1'
      ::1                     | IPv6 servers are not supported
      8.8.8.8,8.8.8.8:53      | '8.8.8.8:53' is listed twice
      1.0.0.1,1.0.0.2,1.0.0.3,1.0.0.4,1.0.0.5,1.0.0.6,1.0.0.7,1.0.0.8,1.0.0.9 | '1.0.0.9' is one too many
      """)
  void parseServers_badItem_namesFieldAndItem(String csv, String message) {
    assertThatThrownBy(() -> DnsConfig.parseServers("--dns-servers", csv))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("--dns-servers: ")
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource({"AppSwitch.Local., appswitch.local", "mesh, mesh", "a-b.example, a-b.example"})
  void new_domain_lowerCaseWithoutTrailingDot(String given, String expected) {
    assertThat(DnsConfig.of(DnsTesting.LOOPBACK_ANY_PORT, given, "").domain()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "a..b", "-a.local", "a_b.local", "a b"})
  void new_badDomain_invalidField(String domain) {
    assertThatThrownBy(() -> DnsConfig.of(DnsTesting.LOOPBACK_ANY_PORT, domain, ""))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("--dns-domain: ");
  }

  @Test
  void limits_defaults_classicAndEdnsSizes() {
    DnsConfig.Limits l = DnsConfig.Limits.DEFAULTS;

    assertThat(l.maxUdpMessage()).isEqualTo(512);
    assertThat(l.maxEdnsMessage()).isEqualTo(1232);
    assertThat(l.maxTcpMessage()).isEqualTo(65535);
    assertThat(l.localTtl()).hasSeconds(5);
  }

  @Test
  void limits_udpOverEdns_rejected() {
    DnsConfig.Limits d = DnsConfig.Limits.DEFAULTS;

    assertThatThrownBy(() -> new DnsConfig.Limits(2000, 1232, 65535, d.maxTcpConnections(), d.tcpIdleTimeout(), d.maxInFlightQueries(),
        d.maxInFlightForwards(), d.forwardTimeout(), d.cacheBytes(), d.minTtl(), d.maxTtl(), d.maxNegativeTtl(), d.localTtl()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxUdpMessage <= maxEdnsMessage");
  }
}
