package io.ax.core.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.VService;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.LbPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProtosVServiceTest {
  static final VService SPLIT = VService.newBuilder()
      .setName("reviews.default-9080")
      .setIp("10.96.36.43")
      .addPorts(PortMapping.newBuilder().setVport(9080).setAppPort(9080))
      .setLbType(LbType.LEAST_CONN)
      .addSubsets(Subset.newBuilder().setName("v1").setWeight(80).setLbType(LbType.CONSISTENT_HASH)
          .addBackends(Backend.newBuilder().setIp("10.244.0.5").setWeight(3))
          .addBackends(Backend.newBuilder().setIp("10.244.0.6").setPort(9081)))
      .addSubsets(Subset.newBuilder().setName("v2").setWeight(20).setLbType(LbType.RANDOM).addBackends(Backend.newBuilder().setIp("10.244.0.7")))
      .addHostnames("reviews.default.svc.cluster.local")
      .setOwner("xds-agent")
      .build();

  @Test
  void vservice_splitWithEveryNewField_roundTripsExactly() {
    io.ax.core.model.VService model = Protos.vservice("", SPLIT, LbPolicy.RANDOM);

    assertThat(model.policy()).isEqualTo(LbPolicy.LEAST_CONN);
    assertThat(model.subsets().getFirst().policy()).isEqualTo(LbPolicy.CONSISTENT_HASH);
    assertThat(model.subsets().getFirst().backends().getFirst().weight()).isEqualTo(3);
    assertThat(model.subsets().getFirst().backends().get(1).weight()).isEqualTo(1);
    assertThat(model.hostnames()).containsExactly("reviews.default.svc.cluster.local");
    assertThat(model.owner()).isEqualTo("xds-agent");
    assertThat(Protos.vservice(model)).isEqualTo(SPLIT);
  }

  @Test
  void vservice_resilience_roundTripsOnTheVserviceAndItsSubsets() {
    io.ax.admin.v1.Resilience r = io.ax.admin.v1.Resilience.newBuilder()
        .setConnectTimeoutMs(250)
        .setMaxConnections(2)
        .setOutlierDetection(io.ax.admin.v1.OutlierDetection.newBuilder().setConsecutiveFailures(3).setBaseEjectionMs(30_000).setMaxEjectionPercent(50))
        .build();
    VService m = SPLIT.toBuilder().setResilience(r).setSubsets(0, SPLIT.getSubsets(0).toBuilder().setResilience(r.toBuilder().clearOutlierDetection())).build();

    io.ax.core.model.VService model = Protos.vservice("", m, LbPolicy.RANDOM);

    assertThat(model.resilience().connectTimeout()).contains(java.time.Duration.ofMillis(250));
    assertThat(model.resilience().maxConnections()).hasValue(2);
    assertThat(model.resilience().outlierDetection()).contains(new io.ax.core.lb.OutlierDetection(3, java.time.Duration.ofSeconds(30), 50));
    assertThat(model.subsets().getFirst().resilience().outlierDetection()).isEmpty();
    assertThat(model.subsets().get(1).resilience().isNone()).isTrue();
    assertThat(Protos.vservice(model)).isEqualTo(m);
  }

  @Test
  void vservice_localityOfBackendsAndLocalitySettings_roundTrip() {
    io.ax.admin.v1.Resilience failover = io.ax.admin.v1.Resilience.newBuilder().setLocalityLb(io.ax.admin.v1.LocalityLb.newBuilder()
        .setMode(io.ax.admin.v1.LocalityMode.LOCALITY_FAILOVER).addFailover(io.ax.admin.v1.LocalityFailover.newBuilder().setFrom("us-east").setTo("eu-west"))).build();
    io.ax.admin.v1.Resilience distribute = io.ax.admin.v1.Resilience.newBuilder().setLocalityLb(io.ax.admin.v1.LocalityLb.newBuilder()
        .setMode(io.ax.admin.v1.LocalityMode.LOCALITY_DISTRIBUTE)
        .addDistribute(io.ax.admin.v1.LocalityDistribute.newBuilder().setFrom("us-east/*").putTo("us-east/a/*", 80).putTo("us-west/*", 20))).build();
    VService m = SPLIT.toBuilder().setResilience(failover)
        .setSubsets(0, SPLIT.getSubsets(0).toBuilder().setResilience(distribute).setBackends(0, SPLIT.getSubsets(0).getBackends(0).toBuilder().setLocality("us-east/a/rack1")))
        .build();

    io.ax.core.model.VService model = Protos.vservice("", m, LbPolicy.RANDOM);

    assertThat(model.resilience().localityLb()).isEqualTo(new io.ax.core.model.LocalityLb.Failover(List.of(new io.ax.core.model.LocalityLb.FailoverRule("us-east", "eu-west"))));
    assertThat(model.subsets().getFirst().backends().getFirst().locality()).isEqualTo(new io.ax.core.model.Locality("us-east", "a", "rack1"));
    assertThat(model.subsets().getFirst().resilience().localityLb()).isInstanceOfSatisfying(io.ax.core.model.LocalityLb.Distribute.class,
        d -> assertThat(d.rules().getFirst().to()).containsExactly(java.util.Map.entry("us-east/a/*", 80), java.util.Map.entry("us-west/*", 20)));
    assertThat(Protos.vservice(model)).isEqualTo(m);
  }

  @Test
  void vservice_badBackendLocality_namesTheField() {
    VService m = SPLIT.toBuilder().setSubsets(0, SPLIT.getSubsets(0).toBuilder().setBackends(0, SPLIT.getSubsets(0).getBackends(0).toBuilder().setLocality("a/b/c/d"))).build();

    assertThatThrownBy(() -> Protos.vservice("", m, LbPolicy.RANDOM))
        .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("subsets[0].backends[0].locality"));
  }

  @Test
  void vservice_resilienceZeros_askForNothingAndIstiosUnlimitedIsNoLimit() {
    io.ax.admin.v1.Resilience r = io.ax.admin.v1.Resilience.newBuilder().setMaxConnections(-1) // 2^32-1 unsigned
        .setOutlierDetection(io.ax.admin.v1.OutlierDetection.newBuilder().setConsecutiveFailures(5)).build();

    io.ax.core.model.Resilience model = Protos.resilience("resilience", r);

    assertThat(model.maxConnections()).isEmpty();
    assertThat(model.connectTimeout()).isEmpty();
    assertThat(model.outlierDetection()).contains(new io.ax.core.lb.OutlierDetection(5, java.time.Duration.ofSeconds(30), 10));
  }

  @Test
  void vservice_ejectionPercentAbove100_namesTheField() {
    io.ax.admin.v1.Resilience r = io.ax.admin.v1.Resilience.newBuilder()
        .setOutlierDetection(io.ax.admin.v1.OutlierDetection.newBuilder().setConsecutiveFailures(5).setMaxEjectionPercent(150)).build();

    assertThatThrownBy(() -> Protos.vservice("vservices[1].", SPLIT.toBuilder().setResilience(r).build(), LbPolicy.RANDOM))
        .isInstanceOfSatisfying(InvalidFieldException.class, e -> {
          assertThat(e.field()).isEqualTo("vservices[1].resilience.outlier_detection.max_ejection_percent");
          assertThat(e.getMessage()).contains("101 is outside 0-100");
        });
  }

  @Test
  void vservice_subsetWithoutType_takesTheVServicesType() {
    VService m = SPLIT.toBuilder().setSubsets(1, SPLIT.getSubsets(1).toBuilder().clearLbType()).build();

    assertThat(Protos.vservice("", m, LbPolicy.RANDOM).subsets().get(1).policy()).isEqualTo(LbPolicy.LEAST_CONN);
  }

  @ParameterizedTest
  @CsvSource({"RANDOM, Random", "ROUND_ROBIN, RoundRobin", "LEAST_CONN, LeastConn", "CONSISTENT_HASH, ConsistentHash"})
  void lbType_everyType_roundTrips(LbType type, String displayName) {
    LbPolicy p = Protos.policy("lb_type", type, type.getNumber(), LbPolicy.RANDOM);

    assertThat(p.displayName()).isEqualTo(displayName);
    assertThat(Protos.lbType(p)).isEqualTo(type);
  }

  @Test
  void vservice_subsetWeightZero_namesTheSubsetField() {
    VService m = SPLIT.toBuilder().setSubsets(0, SPLIT.getSubsets(0).toBuilder().setWeight(0)).build();

    assertThatThrownBy(() -> Protos.vservice("vservices[4].", m, LbPolicy.RANDOM))
        .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("vservices[4].subsets[0].weight"));
  }

  @Test
  void vservice_badSubsetName_namesTheSubsetField() {
    VService m = SPLIT.toBuilder().setSubsets(1, SPLIT.getSubsets(1).toBuilder().setName("-bad")).build();

    assertThatThrownBy(() -> Protos.vservice("vservices[4].", m, LbPolicy.RANDOM))
        .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("vservices[4].subsets[1].name"));
  }

  @Test
  void vservice_backendWeightAboveTheLimit_namesTheBackend() {
    VService m = SPLIT.toBuilder().clearSubsets().addBackends(Backend.newBuilder().setIp("10.0.0.1").setWeight(-1)).build();

    assertThatThrownBy(() -> Protos.vservice("", m, LbPolicy.RANDOM))
        .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("backends[0].weight"))
        .hasMessageContaining("4294967295");
  }

  @Test
  void vservice_unknownLbTypeNumber_listsTheKnownOnes() {
    VService m = SPLIT.toBuilder().setLbTypeValue(99).build();

    assertThatThrownBy(() -> Protos.vservice("", m, LbPolicy.RANDOM))
        .hasMessage("lb_type: unknown load balancer type 99 (expected RANDOM, ROUND_ROBIN, LEAST_CONN or CONSISTENT_HASH)");
  }

  @Test
  void vservice_badHostnameAndOwner_nameTheirFields() {
    assertThatThrownBy(() -> Protos.vservice("v.", SPLIT.toBuilder().addHostnames("Bad Name").build(), LbPolicy.RANDOM))
        .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("v.hostnames[1]"));
    assertThatThrownBy(() -> Protos.vservice("v.", SPLIT.toBuilder().setOwner("Agent!").build(), LbPolicy.RANDOM))
        .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("v.owner"));
  }
}
