package io.ax.xds.resource;

import static io.ax.xds.resource.EnvoyProtos.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** A cluster's connect timeout, circuit breaker and outlier detection, as a connect can honour them. */
class ClusterResilienceParserTest {
  private static final String NAME = "outbound|80||echo.default.svc.cluster.local";

  private static ClusterResilience parse(Cluster c) throws Exception {
    return ((ClusterResource) ResourceParser.parse(ResourceType.CLUSTER, Any.pack(c))).resilience();
  }

  private static Cluster with(OutlierDetection o) {
    return edsCluster(NAME, Cluster.LbPolicy.ROUND_ROBIN).toBuilder().setOutlierDetection(o).build();
  }

  static Stream<Arguments> outliers() {
    UInt32Value zero = UInt32Value.of(0);
    UInt32Value hundred = UInt32Value.of(100);
    return Stream.of(
        Arguments.of("empty: Envoy's consecutive_5xx default 5", OutlierDetection.getDefaultInstance(), Optional.of(5)),
        Arguments.of("5xx 3", OutlierDetection.newBuilder().setConsecutive5Xx(UInt32Value.of(3)).build(), Optional.of(3)),
        Arguments.of("5xx off, gateway 2 enforced (istiod's consecutiveGatewayErrors)",
            OutlierDetection.newBuilder().setConsecutive5Xx(zero).setEnforcingConsecutive5Xx(zero)
                .setConsecutiveGatewayFailure(UInt32Value.of(2)).setEnforcingConsecutiveGatewayFailure(hundred).build(), Optional.of(2)),
        Arguments.of("gateway 1 not enforced: Envoy's default enforcement of it is 0",
            OutlierDetection.newBuilder().setConsecutiveGatewayFailure(UInt32Value.of(1)).build(), Optional.of(5)),
        Arguments.of("split local origin: consecutive_local_origin_failure counts",
            OutlierDetection.newBuilder().setSplitExternalLocalOriginErrors(true).setConsecutive5Xx(UInt32Value.of(1))
                .setConsecutiveLocalOriginFailure(UInt32Value.of(4)).build(), Optional.of(4)),
        Arguments.of("every detector off", OutlierDetection.newBuilder().setEnforcingConsecutive5Xx(zero).build(), Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outliers")
  void parse_outlierDetection_lowestEnforcedThresholdThatAConnectFailureCountsToward(String name, OutlierDetection o, Optional<Integer> failures) throws Exception {
    assertThat(parse(with(o)).outlier().map(ClusterResilience.Outlier::consecutiveFailures)).isEqualTo(failures);
  }

  @Test
  void parse_timeoutAndDefaultPriorityLimit_taken() throws Exception {
    Cluster c = edsCluster(NAME, Cluster.LbPolicy.ROUND_ROBIN).toBuilder()
        .setConnectTimeout(Duration.newBuilder().setNanos(250_000_000))
        .setCircuitBreakers(CircuitBreakers.newBuilder()
            .addThresholds(CircuitBreakers.Thresholds.newBuilder().setPriority(RoutingPriority.HIGH).setMaxConnections(UInt32Value.of(1)))
            .addThresholds(CircuitBreakers.Thresholds.newBuilder().setMaxConnections(UInt32Value.of(3))))
        .build();

    ClusterResilience r = parse(c);

    assertThat(r.connectTimeout()).contains(java.time.Duration.ofMillis(250));
    assertThat(r.maxConnections()).hasValue(3);
    assertThat(r.outlier()).isEmpty();
  }

  @Test
  void parse_istiosUnlimitedConnections_noLimit() throws Exception {
    Cluster c = edsCluster(NAME, Cluster.LbPolicy.ROUND_ROBIN).toBuilder()
        .setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder().setMaxConnections(UInt32Value.of(-1))))
        .build();

    assertThat(parse(c).maxConnections()).isEmpty();
  }

  @Test
  void parse_zeroConnectTimeout_nackedNamingTheValue() {
    Cluster c = edsCluster(NAME, Cluster.LbPolicy.ROUND_ROBIN).toBuilder().setConnectTimeout(Duration.getDefaultInstance()).build();

    assertThatThrownBy(() -> parse(c)).hasMessageContaining("connect_timeout 0 ms is outside 1 ms-1 h");
  }

  @Test
  void parse_localityMetadataWithUnknownMode_nackedNamingTheValue() {
    com.google.protobuf.Struct lb = com.google.protobuf.Struct.newBuilder()
        .putFields("mode", com.google.protobuf.Value.newBuilder().setStringValue("NEAREST").build()).build();
    Cluster c = edsCluster(NAME, Cluster.LbPolicy.ROUND_ROBIN).toBuilder()
        .setMetadata(io.envoyproxy.envoy.config.core.v3.Metadata.newBuilder().putFilterMetadata("ax",
            com.google.protobuf.Struct.newBuilder().putFields("locality_lb", com.google.protobuf.Value.newBuilder().setStructValue(lb).build()).build()))
        .build();

    assertThatThrownBy(() -> parse(c)).hasMessageContaining("metadata ax.locality_lb.mode 'NEAREST' is not a locality mode (expected FAILOVER or DISTRIBUTE)");
  }
}
