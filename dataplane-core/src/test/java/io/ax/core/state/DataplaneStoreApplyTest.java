package io.ax.core.state;

import static io.ax.core.state.StateFixtures.split;
import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.core.lb.LbPolicy;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataplaneStoreApplyTest {
  private static final String AGENT = "xds-agent";
  private final DataplaneStoreTest.RecordingPersistence persistence = new DataplaneStoreTest.RecordingPersistence();
  private final DataplaneStore store = new DataplaneStore(DataplaneState.EMPTY, persistence);
  private final List<DataplaneState> published = new ArrayList<>();

  {
    store.addListener((before, after) -> published.add(after));
  }

  private static List<VService> set(int n) {
    List<VService> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(vservice("svc-" + i, "10.96.0." + (i + 1), "80", "10.0.0." + (i + 1)).withOwner(AGENT));
    }
    return out;
  }

  @Test
  void applyVServices_manyChanges_oneWriteAndOnePublish() {
    store.createVService(vservice("user", "10.96.9.9", "80"));
    persistence.saved.clear();
    published.clear();

    VServiceApply.Result r = store.applyVServices(AGENT, set(50), Set.of());

    assertThat(r.created()).isEqualTo(50);
    assertThat(persistence.saved).hasSize(1);
    assertThat(published).hasSize(1);
    assertThat(store.current().vservices()).hasSize(51);
  }

  @Test
  void applyVServices_sameSetTwice_secondWritesAndPublishesNothing() {
    store.applyVServices(AGENT, set(5), Set.of());
    DataplaneState before = store.current();
    persistence.saved.clear();
    published.clear();

    VServiceApply.Result r = store.applyVServices(AGENT, set(5), Set.of());

    assertThat(r.unchanged()).isEqualTo(5);
    assertThat(persistence.saved).isEmpty();
    assertThat(published).isEmpty();
    assertThat(store.current()).isSameAs(before);
  }

  @Test
  void applyVServices_frontendIndexFollowsTheApply() {
    store.applyVServices(AGENT, set(3), Set.of());

    store.applyVServices(AGENT, set(2), Set.of());

    assertThat(store.current().vserviceAt(io.ax.core.net.Endpoints.parse("d", "10.96.0.2:80"))).map(VService::name).contains("svc-1");
    assertThat(store.current().vserviceAt(io.ax.core.net.Endpoints.parse("d", "10.96.0.3:80"))).isEmpty();
  }

  @Test
  void applyVServices_failingWrite_nothingChanges() {
    persistence.failing = true;

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.applyVServices(AGENT, set(2), Set.of())).isInstanceOf(StateWriteException.class);

    assertThat(store.current().vservices()).isEmpty();
  }

  @Test
  void stateFile_appliedSplitWithHostnamesAndOwner_restoredEqual(@TempDir Path dir) throws Exception {
    StateFile file = new StateFile(dir.resolve("state.json"));
    VService reviews = new VService(
        "reviews.default-9080",
        StateFixtures.ip("10.96.36.43"),
        List.of(io.ax.core.model.PortMapping.parse("p", "9080")),
        List.of(),
        LbPolicy.CONSISTENT_HASH,
        VService.Exposure.INTERNAL,
        java.util.Optional.empty(),
        split("x", "10.96.0.1", LbPolicy.RANDOM, List.of("80"), "v1:80:LeastConn:10.244.0.5,10.244.0.6/9081", "v2:20:Random:10.244.0.7").subsets(),
        List.of("reviews.default.svc.cluster.local", "reviews.default"),
        AGENT);
    DataplaneStore durable = new DataplaneStore(DataplaneState.EMPTY, file);
    durable.applyVServices(AGENT, List.of(reviews), Set.of());

    DataplaneState restored = file.load().orElseThrow();

    assertThat(restored.vservices()).containsExactly(java.util.Map.entry("reviews.default-9080", reviews));
  }
}
