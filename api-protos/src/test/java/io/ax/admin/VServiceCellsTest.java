package io.ax.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.VService;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VServiceCellsTest {

  @ParameterizedTest
  @CsvSource({
    "RANDOM, Random", "ROUND_ROBIN, RoundRobin", "LEAST_CONN, LeastConn", "CONSISTENT_HASH, ConsistentHash", "LB_TYPE_UNSPECIFIED, LB_TYPE_UNSPECIFIED"
  })
  void lbType_eachType_nameUsersType(LbType type, String shown) {
    assertThat(VServiceCells.lbType(type)).isEqualTo(shown);
  }

  @Test
  void ports_mappings_appSwitchBraces() {
    assertThat(VServiceCells.ports(List.of(port(8000, 10000), port(9080, 9080)))).isEqualTo("[{8000 10000} {9080 9080}]");
  }

  @Test
  void backendsCell_plainBackends_portOnlyWhenSetAndWeightOnlyAboveOne() {
    VService v = VService.newBuilder()
        .addBackends(Backend.newBuilder().setIp("10.0.0.1"))
        .addBackends(Backend.newBuilder().setIp("10.0.0.2").setPort(9080).setWeight(1))
        .addBackends(Backend.newBuilder().setIp("10.0.0.3").setPort(9080).setWeight(3))
        .build();

    assertThat(VServiceCells.backendsCell(v)).isEqualTo("[10.0.0.1 10.0.0.2:9080 10.0.0.3:9080(w=3)]");
  }

  @Test
  void backendsCell_split_sharesOfTheTotalAndOnlyADifferentTypeShown() {
    VService v = VService.newBuilder()
        .setLbType(LbType.ROUND_ROBIN)
        .addSubsets(Subset.newBuilder().setName("v1").setWeight(2).setLbType(LbType.ROUND_ROBIN).addBackends(Backend.newBuilder().setIp("10.0.0.1")))
        .addSubsets(Subset.newBuilder().setName("v2").setWeight(1).addBackends(Backend.newBuilder().setIp("10.0.0.2").setPort(80)))
        .addSubsets(Subset.newBuilder().setName("v3").setWeight(1).setLbType(LbType.LEAST_CONN))
        .build();

    assertThat(VServiceCells.backendsCell(v)).isEqualTo("v1=50%[10.0.0.1] v2=25%[10.0.0.2:80] v3=25%/LeastConn[]");
  }

  @Test
  void backendsCell_splitOfZeroWeights_zeroPercentNotADivisionByZero() {
    VService v = VService.newBuilder().addSubsets(Subset.newBuilder().setName("v1")).build();

    assertThat(VServiceCells.backendsCell(v)).isEqualTo("v1=0%[]");
  }

  private static PortMapping port(int vport, int appPort) {
    return PortMapping.newBuilder().setVport(vport).setAppPort(appPort).build();
  }
}
