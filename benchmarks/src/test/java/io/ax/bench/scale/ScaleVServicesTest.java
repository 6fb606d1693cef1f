package io.ax.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.VService;
import io.ax.core.lb.LbPolicy;
import io.ax.core.proto.Protos;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScaleVServicesTest {

  @ParameterizedTest
  @CsvSource({"10000, 1000", "1000, 50", "1, 0", "2, 1", "7, 3"})
  void build_anySize_countNamesAndVipsUniqueOneTarget(int count, int apps) {
    List<VService> set = ScaleVServices.build(count, apps, "10.77.0.1", 9000);

    assertThat(set).hasSize(count);
    assertThat(set).extracting(VService::getName).doesNotHaveDuplicates();
    assertThat(set).extracting(VService::getIp).doesNotHaveDuplicates();
    assertThat(set).filteredOn(v -> v.getName().equals(ScaleVServices.TARGET)).singleElement().satisfies(t -> {
      assertThat(t.getIp()).isEqualTo(ScaleVServices.TARGET_VIP);
      assertThat(t.getPorts(0).getVport()).isEqualTo(ScaleVServices.TARGET_VPORT);
      assertThat(t.getPorts(0).getAppPort()).isEqualTo(9000);
      assertThat(t.getBackendsList()).extracting(Backend::getIp).containsExactly("10.77.0.1");
    });
  }

  @Test
  void build_fullSize_tenDistinctBackendsOnStartedAppsAndEveryPolicy() {
    int apps = 1000;
    Set<String> appIps = new HashSet<>();
    for (int i = 0; i < apps; i++) {
      appIps.add(ScaleVServices.appIp(i));
    }

    List<VService> fillers = ScaleVServices.build(10_000, apps, "10.77.0.1", 9000).stream()
        .filter(v -> !v.getName().equals(ScaleVServices.TARGET)).toList();

    assertThat(fillers).hasSize(9_999).allSatisfy(v -> {
      assertThat(v.getBackendsList()).hasSize(ScaleVServices.BACKENDS);
      assertThat(v.getBackendsList()).extracting(Backend::getIp).doesNotHaveDuplicates().allMatch(appIps::contains);
    });
    assertThat(fillers.stream().mapToInt(VService::getBackendsCount).sum()).isEqualTo(99_990);
    Map<LbType, Long> byPolicy = fillers.stream().collect(Collectors.groupingBy(VService::getLbType, Collectors.counting()));
    assertThat(byPolicy).containsOnlyKeys(LbType.RANDOM, LbType.ROUND_ROBIN, LbType.LEAST_CONN, LbType.CONSISTENT_HASH);
    assertThat(byPolicy.values()).allMatch(n -> n >= 2_499);
    assertThat(fillers).anyMatch(v -> v.getBackendsList().stream().anyMatch(b -> b.getWeight() > 1));
    // Every app is some vservice's backend: the table refers to the whole mesh.
    assertThat(fillers.stream().flatMap(v -> v.getBackendsList().stream()).map(Backend::getIp).collect(Collectors.toSet())).isEqualTo(appIps);
  }

  @Test
  void build_eachVService_passesTheDaemonsValidation() {
    List<VService> set = ScaleVServices.build(1000, 50, "10.77.0.1", 9000);

    // The daemon's own conversion (Apply runs it) throws on anything it would reject.
    Map<String, io.ax.core.model.VService> models = set.stream()
        .map(v -> Protos.vservice("vservices.", v.toBuilder().setOwner(LoadVServices.OWNER).build(), LbPolicy.ROUND_ROBIN))
        .collect(Collectors.toMap(io.ax.core.model.VService::name, Function.identity()));

    assertThat(models).hasSize(1000);
    assertThat(models.get("svc-3").backends()).hasSize(ScaleVServices.BACKENDS);
  }

  @Test
  void build_badSizes_refused() {
    assertThatThrownBy(() -> ScaleVServices.build(0, 10, "10.77.0.1", 9000)).hasMessageContaining("count: 0");
    assertThatThrownBy(() -> ScaleVServices.build(5, 0, "10.77.0.1", 9000)).hasMessageContaining("apps: 0");
    assertThatThrownBy(() -> ScaleVServices.build(5, 5, "10.77.0.1", 0)).hasMessageContaining("serverPort: 0");
  }
}
