package io.ax.xds.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.VService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DryRunDataplaneTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final DryRunDataplane dryRun = new DryRunDataplane(new PrintStream(bytes, true, StandardCharsets.UTF_8));

  private static VService vs(String name, String ip, LbType lb, String... backends) {
    VService.Builder b = VService.newBuilder().setName(name).setIp(ip).setLbType(lb).addPorts(PortMapping.newBuilder().setVport(9080).setAppPort(9080));
    for (String be : backends) {
      b.addBackends(Backend.newBuilder().setIp(be).setPort(9080).setWeight(1));
    }
    return b.build();
  }

  private String printed() {
    String s = bytes.toString(StandardCharsets.UTF_8);
    bytes.reset();
    return s;
  }

  @Test
  void apply_firstCall_printsTheWholeSetAsCreated() throws Exception {
    ApplyResult r = dryRun.apply(List.of(vs("reviews.default-9080", "10.96.36.43", LbType.ROUND_ROBIN, "10.244.0.192"), vs("details.default-9080", "10.96.41.217", LbType.RANDOM)));

    assertThat(r).isEqualTo(new ApplyResult(2, 0, 0, 0, List.of()));
    assertThat(printed()).isEqualTo("""
        dry-run: create details.default-9080 10.96.41.217 [{9080 9080}] Random []
        dry-run: create reviews.default-9080 10.96.36.43 [{9080 9080}] RoundRobin [10.244.0.192:9080]
        """);
  }

  @Test
  void apply_secondCall_printsOnlyTheChanges() throws Exception {
    dryRun.apply(List.of(vs("a-80", "10.0.0.1", LbType.ROUND_ROBIN), vs("b-80", "10.0.0.2", LbType.ROUND_ROBIN), vs("c-80", "10.0.0.3", LbType.ROUND_ROBIN)));
    printed();
    VService split = vs("b-80", "10.0.0.2", LbType.ROUND_ROBIN).toBuilder()
        .addSubsets(Subset.newBuilder().setName("v1").setWeight(80).setLbType(LbType.ROUND_ROBIN).addBackends(Backend.newBuilder().setIp("10.1.0.1").setPort(9080)))
        .addSubsets(Subset.newBuilder().setName("v2").setWeight(20).setLbType(LbType.LEAST_CONN).addBackends(Backend.newBuilder().setIp("10.1.0.2").setPort(9080)))
        .build();

    ApplyResult r = dryRun.apply(List.of(vs("a-80", "10.0.0.1", LbType.ROUND_ROBIN), split, vs("d-80", "10.0.0.4", LbType.RANDOM)));

    assertThat(r).isEqualTo(new ApplyResult(1, 1, 1, 1, List.of()));
    assertThat(printed()).isEqualTo("""
        dry-run: update b-80 10.0.0.2 [{9080 9080}] RoundRobin v1=80%[10.1.0.1:9080] v2=20%/LeastConn[10.1.0.2:9080] (was [])
        dry-run: delete c-80
        dry-run: create d-80 10.0.0.4 [{9080 9080}] Random []
        """);
  }

  @Test
  void apply_sameSetTwice_changesNothing() throws Exception {
    List<VService> set = List.of(vs("a-80", "10.0.0.1", LbType.ROUND_ROBIN, "10.1.1.1"));
    dryRun.apply(set);
    printed();

    assertThat(dryRun.apply(set)).isEqualTo(new ApplyResult(0, 0, 0, 1, List.of()));
    assertThat(printed()).isEmpty();
  }

  @Test
  void apply_duplicateName_isRefused() {
    assertThatThrownBy(() -> dryRun.apply(List.of(vs("a-80", "10.0.0.1", LbType.ROUND_ROBIN), vs("a-80", "10.0.0.2", LbType.ROUND_ROBIN))))
        .isInstanceOf(DataplaneException.class)
        .hasMessage("vservice a-80 appears twice in one push (names must be unique)");
  }

  @Test
  void apply_weightChanged_printsTheNewAndTheOldSplitAndTheHostnames() throws Exception {
    dryRun.apply(List.of(split(80, 20)));
    assertThat(printed()).isEqualTo("dry-run: create reviews.default-9080 10.96.36.43 [{9080 9080}] RoundRobin v1=80%[10.1.0.1:9080] v2=20%[10.1.0.2:9080]"
        + " hostnames [reviews.default.svc.cluster.local]\n");

    dryRun.apply(List.of(split(90, 10)));

    assertThat(printed()).isEqualTo("dry-run: update reviews.default-9080 10.96.36.43 [{9080 9080}] RoundRobin v1=90%[10.1.0.1:9080] v2=10%[10.1.0.2:9080]"
        + " hostnames [reviews.default.svc.cluster.local] (was v1=80%[10.1.0.1:9080] v2=20%[10.1.0.2:9080])\n");
  }

  private static VService split(int v1, int v2) {
    return vs("reviews.default-9080", "10.96.36.43", LbType.ROUND_ROBIN).toBuilder()
        .addHostnames("reviews.default.svc.cluster.local")
        .addSubsets(Subset.newBuilder().setName("v1").setWeight(v1).setLbType(LbType.ROUND_ROBIN).addBackends(Backend.newBuilder().setIp("10.1.0.1").setPort(9080)))
        .addSubsets(Subset.newBuilder().setName("v2").setWeight(v2).setLbType(LbType.ROUND_ROBIN).addBackends(Backend.newBuilder().setIp("10.1.0.2").setPort(9080)))
        .build();
  }
}
