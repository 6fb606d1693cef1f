package io.ax.xds.pilot.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VipAllocatorTest {
  @Test
  void allocate_sameHost_sameVipWhateverTheOtherHosts() {
    String alone = VipAllocator.allocate(List.of("reviews.default.svc.cluster.local"), Set.of()).get("reviews.default.svc.cluster.local");
    Map<String, String> many = VipAllocator.allocate(List.of("a.x", "reviews.default.svc.cluster.local", "z.y", "m.n"), Set.of());

    assertThat(many.get("reviews.default.svc.cluster.local")).isEqualTo(alone);
    assertThat(alone).matches("240\\.240\\.\\d+\\.\\d+");
    assertThat(alone).isNotIn("240.240.0.0", "240.240.255.255");
  }

  @Test
  void allocate_slotTaken_probesTheNextFreeAddress() {
    String first = VipAllocator.allocate(List.of("a.b"), Set.of()).get("a.b");

    String second = VipAllocator.allocate(List.of("a.b"), Set.of(first)).get("a.b");

    assertThat(second).isNotEqualTo(first).startsWith("240.240.");
  }

  @Test
  void allocate_manyHosts_allDistinct() {
    List<String> hosts = java.util.stream.IntStream.range(0, 5000).mapToObj(i -> "svc" + i + ".ns.svc.cluster.local").toList();

    Map<String, String> vips = VipAllocator.allocate(hosts, Set.of());

    assertThat(Set.copyOf(vips.values())).hasSize(5000);
  }
}
