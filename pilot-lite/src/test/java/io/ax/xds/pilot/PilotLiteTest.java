package io.ax.xds.pilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ax.xds.pilot.mesh.MeshOptions;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pilot-lite over a real directory: the watcher, last good config, versions. */
class PilotLiteTest {
  static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";
  /** The bound the watcher promises for serving a change; waits elsewhere are generous for busy machines. */
  static final Duration WITHIN_A_SECOND = Duration.ofSeconds(1);
  static final Duration GENEROUS = Duration.ofSeconds(10);

  @TempDir Path dir;
  PilotLite pilot;
  final CopyOnWriteArrayList<ServingState> changes = new CopyOnWriteArrayList<>();

  static PilotConfig config(Path dir) {
    return new PilotConfig(dir, "127.0.0.1", 0, MeshOptions.DEFAULTS, PilotConfig.DEFAULT_DEBOUNCE, PilotConfig.DEFAULT_RESCAN);
  }

  @BeforeEach
  void start() throws Exception {
    Files.copy(Fixtures.path(Fixtures.BOOKINFO), dir.resolve("bookinfo.yaml"));
    Files.writeString(dir.resolve("workloads.yaml"), Fixtures.BOOKINFO_WORKLOADS);
    pilot = PilotLite.start(config(dir), changes::add);
  }

  @AfterEach
  void stop() {
    pilot.close();
  }

  Cluster.LbPolicy reviewsLb() {
    return ((Cluster) pilot.snapshot().clusters().resources().get(REVIEWS)).getLbPolicy();
  }

  @Test
  void start_bookinfo_servesItAtVersion1() {
    assertThat(pilot.state().version()).isEqualTo(1);
    assertThat(pilot.state().summary()).isEqualTo("serving 4 services, 4 clusters, 1 listener, 1 route (version 1)");
    assertThat(pilot.snapshot().clusters().resources()).containsKey(REVIEWS);
    assertThat(pilot.snapshot().endpoints().resources()).containsKey(REVIEWS);
    assertThat(pilot.snapshot().listeners().resources()).containsKey("0.0.0.0_9080");
    assertThat(pilot.snapshot().routes().resources()).containsKey("9080");
    assertThat(changes).hasSize(1);
  }

  @Test
  void watch_fileDroppedIn_servedWithinASecond() throws Exception {
    Files.copy(Fixtures.path(Fixtures.DR_REVIEWS), dir.resolve("destination-rule-reviews.yaml"));

    await().atMost(WITHIN_A_SECOND).pollInterval(Duration.ofMillis(20)).until(() -> reviewsLb() == Cluster.LbPolicy.RANDOM);
    assertThat(pilot.state().version()).isEqualTo(2);
    assertThat(pilot.snapshot().clusters().resources()).containsKey("outbound|9080|v2|reviews.default.svc.cluster.local");
  }

  @Test
  void watch_fileChangedThenRemoved_followsAndRestoresTheDefault() throws Exception {
    Path rule = dir.resolve("reviews.yaml");
    Files.copy(Fixtures.path(Fixtures.DR_REVIEWS), rule);
    await().atMost(GENEROUS).until(() -> reviewsLb() == Cluster.LbPolicy.RANDOM);

    Files.writeString(rule, Files.readString(rule).replace("RANDOM", "LEAST_REQUEST"));
    await().atMost(GENEROUS).until(() -> reviewsLb() == Cluster.LbPolicy.LEAST_REQUEST);

    Files.delete(rule);
    await().atMost(GENEROUS).until(() -> reviewsLb() == Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(pilot.snapshot().clusters().resources()).doesNotContainKey("outbound|9080|v2|reviews.default.svc.cluster.local");
    assertThat(pilot.state().version()).isEqualTo(4);
  }

  @Test
  void watch_fileBecomesInvalid_oneLineErrorAndLastGoodKeptWhileOthersUpdate() throws Exception {
    Path rule = dir.resolve("reviews.yaml");
    Files.copy(Fixtures.path(Fixtures.DR_REVIEWS), rule);
    await().atMost(GENEROUS).until(() -> reviewsLb() == Cluster.LbPolicy.RANDOM);

    Files.writeString(rule, Files.readString(rule).replace("simple: RANDOM", "simple: SOMETIMES"));
    await().atMost(GENEROUS).until(() -> pilot.fileErrors().containsKey(rule));
    assertThat(pilot.fileErrors().get(rule))
        .isEqualTo(rule + ":9: spec.trafficPolicy.loadBalancer.simple: unknown value 'SOMETIMES'"
            + " (expected one of UNSPECIFIED, ROUND_ROBIN, RANDOM, LEAST_REQUEST, LEAST_CONN, PASSTHROUGH)")
        .doesNotContain("\n");
    assertThat(reviewsLb()).isEqualTo(Cluster.LbPolicy.RANDOM);

    Files.copy(Fixtures.path(Fixtures.POLICY_REVIEWS), dir.resolve("legacy.yaml"));
    Files.writeString(dir.resolve("details.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: details}
        spec: {host: details, trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}}
        """);
    await().atMost(GENEROUS).until(() -> ((Cluster) pilot.snapshot().clusters().resources()
        .get("outbound|9080||details.default.svc.cluster.local")).getLbPolicy() == Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(reviewsLb()).isEqualTo(Cluster.LbPolicy.RANDOM);

    Files.writeString(rule, "apiVersion: v1\nkind: [broken\n");
    await().atMost(GENEROUS).until(() -> pilot.fileErrors().getOrDefault(rule, "").startsWith(rule + ":3: invalid YAML"));
    assertThat(pilot.fileErrors().get(rule)).isEqualTo(rule + ":3: invalid YAML: while parsing a flow sequence (from line 2): expected ',' or ']', but got <stream end>");
    Files.delete(rule);
    await().atMost(GENEROUS).until(() -> pilot.fileErrors().isEmpty());
  }

  @Test
  void watch_sameContentRewrittenOrIgnoredFiles_versionUnchanged() throws Exception {
    long before = pilot.state().version();
    Files.writeString(dir.resolve("workloads.yaml"), Fixtures.BOOKINFO_WORKLOADS);
    Files.writeString(dir.resolve(".hidden.yaml"), "not: [yaml");
    Files.writeString(dir.resolve("notes.txt"), "kind: [broken");
    Files.writeString(dir.resolve("bookinfo.yaml~"), "kind: [broken");
    // a file with only ignored kinds changes nothing served either
    Files.writeString(dir.resolve("sa.yaml"), "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n");
    Files.writeString(dir.resolve("marker.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n");

    await().atMost(GENEROUS).until(() -> pilot.fileErrors().isEmpty() && changes.size() == 1);
    Thread.sleep(PilotConfig.DEFAULT_RESCAN.toMillis() + 300); // let a rescan run too
    assertThat(pilot.state().version()).isEqualTo(before);
    assertThat(pilot.fileErrors()).isEmpty();
  }

  @Test
  void start_missingDirectory_oneLineError() {
    assertThatThrownBy(() -> PilotLite.start(config(dir.resolve("nope"))))
        .isInstanceOf(PilotException.class)
        .hasMessage("config directory " + dir.resolve("nope") + " does not exist or is not a directory (expected a directory of Istio/Kubernetes YAML)");
  }

  @Test
  void start_portInUse_oneLineError() {
    assertThatThrownBy(() -> PilotLite.start(config(dir).withListen("127.0.0.1", pilot.port())))
        .isInstanceOf(PilotException.class)
        .hasMessage("cannot listen on 127.0.0.1:" + pilot.port() + ": address already in use");
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
