package io.ax.xds.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsJavaResolverTest {
  @Test
  void resolve_aRecords_givesSortedAddressesAndTheirTtl() throws Exception {
    try (TestDnsServer dns = new TestDnsServer(7)) {
      dns.set("www.googleapis.com", List.of("127.0.0.3", "127.0.0.2", "127.0.0.3"));

      HostResolver.Answer a = DnsJavaResolver.create(List.of(dns.address())).resolve("www.googleapis.com");

      assertThat(a.ipv4()).containsExactly("127.0.0.2", "127.0.0.3");
      assertThat(a.ttl()).isEqualTo(Duration.ofSeconds(7));
    }
  }

  @Test
  void resolve_nxdomain_givesNoAddressesForTheSoaTtl() throws Exception {
    try (TestDnsServer dns = new TestDnsServer(3)) {
      HostResolver.Answer a = DnsJavaResolver.create(List.of(dns.address())).resolve("nowhere.extsvc.com");

      assertThat(a.ipv4()).isEmpty();
      assertThat(a.ttl()).isEqualTo(Duration.ofSeconds(3));
    }
  }
}
