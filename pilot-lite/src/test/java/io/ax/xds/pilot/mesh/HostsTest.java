package io.ax.xds.pilot.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostsTest {
  @ParameterizedTest
  @CsvSource({
    "reviews, default, reviews.default.svc.cluster.local",
    "reviews, prod, reviews.prod.svc.cluster.local",
    "reviews.prod.svc.cluster.local, default, reviews.prod.svc.cluster.local",
    "www.Google.com, default, www.google.com",
    "*.example.com, default, *.example.com"
  })
  void resolve_shortAndQualifiedNames_fullyQualified(String host, String namespace, String expected) {
    assertThat(Hosts.resolve(host, namespace, "cluster.local")).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "http, '', '', HTTP",
    "http-web, '', '', HTTP",
    "grpc-api, '', '', HTTP",
    "http2, '', '', HTTP",
    "tcp-db, '', '', TCP",
    "mongo, '', TCP, TCP",
    "web, http, TCP, HTTP",
    "web, kubernetes.io/h2c, TCP, HTTP",
    "http, '', UDP, UNSUPPORTED",
    "x, '', HTTP, HTTP",
    "x, '', HTTPS, TCP"
  })
  void protocolOf_namesAndProtocols_istioSelection(String name, String appProtocol, String protocol, Protocol expected) {
    assertThat(Protocol.of(name, appProtocol, protocol)).isEqualTo(expected);
  }
}
