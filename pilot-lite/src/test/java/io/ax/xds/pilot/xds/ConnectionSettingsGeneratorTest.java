package io.ax.xds.pilot.xds;

import static io.ax.xds.pilot.xds.XdsGeneratorTest.cluster;
import static io.ax.xds.pilot.xds.XdsGeneratorTest.generate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import io.ax.xds.pilot.Fixtures;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import org.junit.jupiter.api.Test;

/**
 * DestinationRule {@code connectionPool.tcp} and {@code outlierDetection} into the cluster fields
 * istiod writes, on Istio's own test data.
 */
class ConnectionSettingsGeneratorTest {
  /** A ServiceEntry for the host of Istio's destination-rule-locality.yaml, which has none. */
  static final String LOCALITY_HOST = """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: locality, namespace: default}
      spec:
        hosts: [locality.cluster.local]
        ports: [{number: 80, name: tcp, protocol: TCP}]
        resolution: STATIC
        endpoints: [{address: 198.19.0.1}, {address: 198.19.0.2}]
      """;

  private static Duration seconds(long s) {
    return Duration.newBuilder().setSeconds(s).build();
  }

  @Test
  void generate_destinationRuleAllOfIstio_timeoutLimitAndOutlierAsIstiodWritesThem() throws Exception {
    Cluster c = cluster(generate(Fixtures.TESTDATA_DR_ALL), "outbound|81||destall.default.svc.cluster.local");

    assertThat(c.getConnectTimeout()).isEqualTo(seconds(6));
    assertThat(c.getCircuitBreakers().getThresholdsList()).singleElement().satisfies(t -> {
      assertThat(t.getPriority()).isEqualTo(RoutingPriority.DEFAULT);
      assertThat(t.getMaxConnections()).isEqualTo(UInt32Value.of(99));
    });
    OutlierDetection o = c.getOutlierDetection();
    assertThat(o.getInterval()).isEqualTo(Duration.newBuilder().setNanos(8_000_000).build());
    assertThat(o.getBaseEjectionTime()).isEqualTo(seconds(60));
    assertThat(o.getMaxEjectionPercent()).isEqualTo(UInt32Value.of(11));
    assertThat(o.getEnforcingSuccessRate()).isEqualTo(UInt32Value.of(0));
    assertThat(o.hasConsecutive5Xx()).as("unset in the rule: Envoy's default (5) applies, as with istiod").isFalse();
    // The subsets inherit the host's settings (v2 sets only its load balancer).
    assertThat(cluster(generate(Fixtures.TESTDATA_DR_ALL), "outbound|81|v2|destall.default.svc.cluster.local").getOutlierDetection()).isEqualTo(o);
  }

  @Test
  void generate_destinationRuleLocalityOfIstio_outlierDetectionOnTheCluster() throws Exception {
    Cluster c = cluster(generate(LOCALITY_HOST, "tests/testdata/config/destination-rule-locality.yaml"), "outbound|80||locality.cluster.local");

    assertThat(c.getConnectTimeout()).as("the mesh's default").isEqualTo(seconds(10));
    assertThat(c.hasCircuitBreakers()).isFalse();
    assertThat(c.getOutlierDetection().getInterval()).isEqualTo(seconds(1));
    assertThat(c.getOutlierDetection().getBaseEjectionTime()).isEqualTo(seconds(180));
    assertThat(c.getOutlierDetection().getMaxEjectionPercent()).isEqualTo(UInt32Value.of(100));
  }

  @Test
  void generate_destinationRuleLocalityOfIstio_outlierDetectionMakesLocalityFailoverForEachDaemon() throws Exception {
    Cluster c = cluster(generate(LOCALITY_HOST, "tests/testdata/config/destination-rule-locality.yaml"), "outbound|80||locality.cluster.local");

    Struct lb = c.getMetadata().getFilterMetadataOrThrow("ax").getFieldsOrThrow("locality_lb").getStructValue();
    assertThat(lb.getFieldsOrThrow("mode").getStringValue()).isEqualTo("FAILOVER");
    assertThat(lb.getFieldsOrThrow("failover").getListValue().getValuesList()).isEmpty();
    assertThat(c.getMetadata().getFilterMetadataMap()).containsKey("istio");
  }

  @Test
  void generate_localityLbSetting_distributeOrFailoverRulesOrOff() throws Exception {
    String rule = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: locality, namespace: default}
        spec:
          host: locality.cluster.local
          trafficPolicy:
            loadBalancer:
              localityLbSetting:
                distribute:
                - from: us-east/a/*
                  to: {"us-east/a/*": 80, "us-west/*": 20}
          subsets:
          - name: failover
            labels: {}
            trafficPolicy:
              outlierDetection: {consecutive5xxErrors: 2}
              loadBalancer: {localityLbSetting: {failover: [{from: us-east, to: eu-west}]}}
          - name: off
            labels: {}
            trafficPolicy:
              outlierDetection: {consecutive5xxErrors: 2}
              loadBalancer: {localityLbSetting: {enabled: false}}
        """;
    var r = generate(LOCALITY_HOST, rule);

    Struct distribute = cluster(r, "outbound|80||locality.cluster.local").getMetadata().getFilterMetadataOrThrow("ax").getFieldsOrThrow("locality_lb").getStructValue();
    assertThat(distribute.getFieldsOrThrow("mode").getStringValue()).isEqualTo("DISTRIBUTE");
    Struct entry = distribute.getFieldsOrThrow("distribute").getListValue().getValues(0).getStructValue();
    assertThat(entry.getFieldsOrThrow("from").getStringValue()).isEqualTo("us-east/a/*");
    assertThat(entry.getFieldsOrThrow("to").getStructValue().getFieldsOrThrow("us-west/*").getNumberValue()).isEqualTo(20);
    Struct failover = cluster(r, "outbound|80|failover|locality.cluster.local").getMetadata().getFilterMetadataOrThrow("ax").getFieldsOrThrow("locality_lb").getStructValue();
    assertThat(failover.getFieldsOrThrow("mode").getStringValue()).isEqualTo("FAILOVER");
    assertThat(failover.getFieldsOrThrow("failover").getListValue().getValues(0).getStructValue().getFieldsOrThrow("to").getStringValue()).isEqualTo("eu-west");
    assertThat(cluster(r, "outbound|80|off|locality.cluster.local").getMetadata().getFilterMetadataMap()).doesNotContainKey("ax");
  }

  @Test
  void generate_portLevelAndSubsetSettings_replaceTheRulesPartByPart() throws Exception {
    String rule = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: locality, namespace: default}
        spec:
          host: locality.cluster.local
          trafficPolicy:
            connectionPool: {tcp: {connectTimeout: 250ms, maxConnections: 2}}
            outlierDetection: {consecutive5xxErrors: 3, consecutiveGatewayErrors: 0}
            portLevelSettings:
            - port: {number: 80}
              connectionPool: {tcp: {connectTimeout: 1.5s}}
          subsets:
          - name: v1
            labels: {version: v1}
            trafficPolicy:
              outlierDetection: {consecutiveGatewayErrors: 2}
        """;
    Cluster main = cluster(generate(LOCALITY_HOST, rule), "outbound|80||locality.cluster.local");
    Cluster v1 = cluster(generate(LOCALITY_HOST, rule), "outbound|80|v1|locality.cluster.local");

    assertThat(main.getConnectTimeout()).isEqualTo(Duration.newBuilder().setSeconds(1).setNanos(500_000_000).build());
    assertThat(main.hasCircuitBreakers()).as("the port's connectionPool replaces the rule's as a whole").isFalse();
    assertThat(main.getOutlierDetection().getConsecutive5Xx()).isEqualTo(UInt32Value.of(3));
    assertThat(main.getOutlierDetection().getEnforcingConsecutive5Xx()).isEqualTo(UInt32Value.of(100));
    assertThat(main.getOutlierDetection().getEnforcingConsecutiveGatewayFailure()).isEqualTo(UInt32Value.of(0));
    assertThat(v1.getConnectTimeout()).isEqualTo(main.getConnectTimeout());
    assertThat(v1.getOutlierDetection().hasConsecutive5Xx()).as("the subset's outlierDetection replaces the host's").isFalse();
    assertThat(v1.getOutlierDetection().getConsecutiveGatewayFailure()).isEqualTo(UInt32Value.of(2));
  }

  @Test
  void parse_badDuration_oneLineNamingTheValue() {
    assertThatThrownBy(() -> generate(LOCALITY_HOST, """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: locality, namespace: default}
        spec:
          host: locality.cluster.local
          trafficPolicy:
            connectionPool: {tcp: {connectTimeout: 10 seconds}}
        """)).hasMessageContaining("'10 seconds' is not a duration (expected a number and a unit, e.g. 10s, 500ms, 1m)");
  }
}
