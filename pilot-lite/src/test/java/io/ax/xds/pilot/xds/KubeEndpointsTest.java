package io.ax.xds.pilot.xds;

import static io.ax.xds.pilot.xds.XdsGeneratorTest.addresses;
import static io.ax.xds.pilot.xds.XdsGeneratorTest.endpoints;
import static io.ax.xds.pilot.xds.XdsGeneratorTest.generate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.xds.pilot.Fixtures;
import io.ax.xds.pilot.config.ConfigException;
import io.ax.xds.pilot.config.ConfigParser;
import io.ax.xds.pilot.config.Yaml;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Kubernetes' Endpoints and EndpointSlices in the directory are endpoints of the Service they name. */
class KubeEndpointsTest {
  /** Kubernetes' documentation's Service without a selector and its hand-written endpoints. */
  private static final String SERVICE = """
      apiVersion: v1
      kind: Service
      metadata:
        name: example
      spec:
        ports:
        - name: http
          port: 80
          targetPort: 9376
        - name: metrics
          port: 9090
      """;

  private static final String SLICE = """
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: example-abc
        labels:
          kubernetes.io/service-name: example
      addressType: IPv4
      ports:
        - name: http
          protocol: TCP
          port: 9376
      endpoints:
        - addresses:
            - "10.1.2.3"
          conditions:
            ready: true
            serving: true
            terminating: false
          hostname: pod-1
          nodeName: node-1
          zone: us-west2-a
        - addresses:
            - "10.1.2.4"
          conditions:
            ready: false
      """;

  private static final String ENDPOINTS = """
      apiVersion: v1
      kind: Endpoints
      metadata:
        name: example
      subsets:
        - addresses:
            - ip: 10.1.2.5
              targetRef:
                kind: Pod
                name: example-1
          notReadyAddresses:
            - ip: 10.1.2.6
          ports:
            - name: http
              port: 9376
            - name: metrics
              port: 9090
      """;

  private static final String CLUSTER = "outbound|80||example.default.svc.cluster.local";

  @Test
  void generate_endpointSlice_itsReadyAddressesOnTheNamedPort() throws Exception {
    IstioResources r = generate(SERVICE, SLICE);

    assertThat(addresses(endpoints(r, CLUSTER))).containsExactly("10.1.2.3:9376");
    assertThat(endpoints(r, CLUSTER).getEndpoints(0).getLocality().getZone()).isEqualTo("us-west2-a");
    // The slice lists no metrics port: its endpoint does not serve 9090.
    assertThat(addresses(endpoints(r, "outbound|9090||example.default.svc.cluster.local"))).isEmpty();
  }

  @Test
  void generate_endpoints_readyAddressesOnEachListedPort() throws Exception {
    IstioResources r = generate(SERVICE, ENDPOINTS);

    assertThat(addresses(endpoints(r, CLUSTER))).containsExactly("10.1.2.5:9376");
    assertThat(addresses(endpoints(r, "outbound|9090||example.default.svc.cluster.local"))).containsExactly("10.1.2.5:9090");
  }

  @Test
  void generate_endpointsBesideWorkloadEntries_both() throws Exception {
    IstioResources r = generate(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS, """
        apiVersion: v1
        kind: Endpoints
        metadata:
          name: reviews
        subsets:
          - addresses:
              - ip: 10.244.0.99
            ports:
              - name: http
                port: 9080
        """);

    assertThat(addresses(endpoints(r, "outbound|9080||reviews.default.svc.cluster.local")))
        .contains("10.244.0.99:9080", "10.244.0.12:9080").hasSize(4);
  }

  @Test
  void parse_endpointSliceWithAMisspeltField_refusedWithItsLine() {
    String bad = SLICE.replace("zone: us-west2-a", "zoen: us-west2-a");

    assertThatThrownBy(() -> ConfigParser.parse("slice.yaml", bad.getBytes(StandardCharsets.UTF_8), Yaml.Format.YAML))
        .isInstanceOf(ConfigException.class).hasMessageContaining("zoen");
  }

  @Test
  void parse_endpointSliceWithoutServiceLabel_refused() {
    String bad = SLICE.replace("    kubernetes.io/service-name: example", "    app: example");

    assertThatThrownBy(() -> ConfigParser.parse("slice.yaml", bad.getBytes(StandardCharsets.UTF_8), Yaml.Format.YAML))
        .isInstanceOf(ConfigException.class).hasMessageContaining("kubernetes.io/service-name");
  }

  @Test
  void parse_ipv6Slice_skippedWithANote() throws Exception {
    String v6 = SLICE.replace("addressType: IPv4", "addressType: IPv6");

    ConfigParser.Parsed p = ConfigParser.parse("slice.yaml", v6.getBytes(StandardCharsets.UTF_8), Yaml.Format.YAML);

    assertThat(p.objects()).isEmpty();
    assertThat(p.notes()).anySatisfy(n -> assertThat(n.toString()).contains("addressType IPv6"));
  }
}
