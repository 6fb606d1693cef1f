package io.ax.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VServiceNamesTest {
  @ParameterizedTest
  @CsvSource({
    "reviews.default.svc.cluster.local, 9080, reviews.default-9080",
    "istiod.istio-system.svc.cluster.local, 15012, istiod.istio-system-15012",
    "reviews.default.svc.mesh.example.com, 9080, reviews.default-9080",
    "www.google.com, 443, www.google.com-443",
    "WWW.Google.COM, 443, www.google.com-443",
    "api.svc.example.com, 80, api.svc.example.com-80",
    "'*.wikipedia.org', 443, wildcard.wikipedia.org-443",
    "my_db.prod.internal, 5432, my-db.prod.internal-5432",
    "-edge-.example.com, 80, edge.example.com-80"
  })
  void of_host_isARecognisableDnsName(String host, int port, String expected) {
    assertThat(VServiceNames.of(host, port)).isEqualTo(expected).matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
  }

  @ParameterizedTest
  @CsvSource({"300", "70"})
  void of_longHost_staysWithinDnsLimits(int length) {
    String name = VServiceNames.of("a".repeat(length) + ".example.com", 8080);

    assertThat(name.length()).isLessThanOrEqualTo(253);
    assertThat(name.split("\\.")).allSatisfy(label -> assertThat(label.length()).isLessThanOrEqualTo(63));
    assertThat(name).endsWith("-8080");
  }
}
