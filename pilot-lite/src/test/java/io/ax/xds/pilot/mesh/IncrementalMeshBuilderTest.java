package io.ax.xds.pilot.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.xds.pilot.Fixtures;
import io.ax.xds.pilot.config.ConfigObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncrementalMeshBuilderTest {
  static final String REVIEWS = "reviews.default.svc.cluster.local";

  final IncrementalMeshBuilder builder = new IncrementalMeshBuilder(MeshOptions.DEFAULTS);

  static List<ConfigObject> concat(List<ConfigObject> a, List<ConfigObject> b) {
    List<ConfigObject> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  @Test
  void build_onlyRulesChanged_reusesTheServicesAndAppliesTheRules() throws Exception {
    List<ConfigObject> bookinfo = Fixtures.objects(Fixtures.BOOKINFO, Fixtures.BOOKINFO_WORKLOADS);
    Mesh before = builder.build(bookinfo);
    List<ConfigObject> withRule = concat(Fixtures.objects(Fixtures.DR_REVIEWS), bookinfo);
    Mesh after = builder.build(withRule);

    assertThat(after.services().get(REVIEWS)).isSameAs(before.services().get(REVIEWS));
    assertThat(after).isEqualTo(MeshBuilder.build(withRule, MeshOptions.DEFAULTS));
    assertThat(after.rules(REVIEWS).subsets()).extracting(s -> s.name()).containsExactly("v1", "v2", "v3");
  }

  @Test
  void build_workloadsChanged_selectsEndpointsAgain() throws Exception {
    List<ConfigObject> services = Fixtures.objects(Fixtures.BOOKINFO);
    Mesh without = builder.build(services);
    List<ConfigObject> withWorkloads = concat(services, Fixtures.objects(Fixtures.BOOKINFO_WORKLOADS));
    Mesh with = builder.build(withWorkloads);

    assertThat(without.services().get(REVIEWS).endpoints()).isEmpty();
    assertThat(with.services().get(REVIEWS).endpoints()).hasSize(3);
    assertThat(with).isEqualTo(MeshBuilder.build(withWorkloads, MeshOptions.DEFAULTS));
  }
}
