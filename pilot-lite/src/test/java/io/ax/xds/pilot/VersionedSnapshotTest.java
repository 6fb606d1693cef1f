package io.ax.xds.pilot;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionedSnapshotTest {
  static final Cluster A = Cluster.newBuilder().setName("a").build();
  static final Cluster B = Cluster.newBuilder().setName("b").build();

  final VersionedSnapshot.Maker maker = new VersionedSnapshot.Maker();

  VersionedSnapshot make(List<Cluster> clusters, String version) {
    return maker.make(clusters, version, List.of(), "1", List.of(), "1", List.of(), "1");
  }

  @Test
  void make_sameObjectAgain_keepsItsVersionedResource() {
    VersionedResource<Cluster> first = make(List.of(A), "1").clusters().versionedResources().get("a");
    VersionedSnapshot second = make(List.of(A, B), "2");

    assertThat(second.clusters().versionedResources().get("a")).isSameAs(first);
    assertThat(second.clusters().resources()).containsOnlyKeys("a", "b");
    assertThat(second.version(Resources.V3.CLUSTER_TYPE_URL)).isEqualTo("2");
    assertThat(second.version(Resources.V3.ENDPOINT_TYPE_URL)).isEqualTo("1");
  }

  @Test
  void make_equalContent_sameVersionAsTheLibraryGives() {
    VersionedResource<Cluster> ours = make(List.of(A), "1").clusters().versionedResources().get("a");

    assertThat(ours.version()).isEqualTo(VersionedResource.create(A).version());
    assertThat(make(List.of(Cluster.newBuilder().setName("a").setLbPolicy(Cluster.LbPolicy.RANDOM).build()), "2")
        .clusters().versionedResources().get("a").version()).isNotEqualTo(ours.version());
  }
}
