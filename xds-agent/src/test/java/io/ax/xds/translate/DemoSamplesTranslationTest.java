package io.ax.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.VService;
import io.ax.xds.pilot.config.ConfigObject;
import io.ax.xds.pilot.config.ConfigParser;
import io.ax.xds.pilot.config.Yaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Istio YAML of the bookinfo demo (istio-samples/bookinfo), step by step as ci/demo.sh
 * applies it, gives the vservices the demo shows and whose distributions its quick mode asserts.
 * The app IPs here are the ones the demo passes to {@code ax run --ip}.
 */
class DemoSamplesTranslationTest {
  private static final Path SAMPLES = Path.of(System.getProperty("ax.samples", "../istio-samples/bookinfo"));
  private static final String[] START = {"bookinfo.yaml", "workloads.yaml", "destination-rules.yaml"};

  private static Translation translate(String... files) throws Exception {
    List<ConfigObject> objects = new ArrayList<>();
    for (String f : files) {
      objects.addAll(ConfigParser.parse(f, Files.readAllBytes(SAMPLES.resolve(f)), Yaml.Format.YAML).objects());
    }
    return PilotLiteTranslationTest.translate(objects);
  }

  private static String[] start(String... more) {
    List<String> files = new ArrayList<>(List.of(START));
    files.addAll(List.of(more));
    return files.toArray(String[]::new);
  }

  private static VService vservice(Translation t, String name) {
    return t.vservices().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void translate_demoStart_givesFourRoundRobinServicesOnTheirClusterIps() throws Exception {
    Translation t = translate(START);

    assertThat(t.vservices()).extracting(VService::getName, VService::getIp, VService::getLbType, v -> v.getHostnames(0))
        .containsExactly(
            tuple("details.default-9080", "10.96.0.11", LbType.ROUND_ROBIN, "details.default.svc.cluster.local"),
            tuple("productpage.default-9080", "10.96.0.10", LbType.ROUND_ROBIN, "productpage.default.svc.cluster.local"),
            tuple("ratings.default-9080", "10.96.0.12", LbType.ROUND_ROBIN, "ratings.default.svc.cluster.local"),
            tuple("reviews.default-9080", "10.96.0.13", LbType.ROUND_ROBIN, "reviews.default.svc.cluster.local"));
    assertThat(vservice(t, "reviews.default-9080").getBackendsList()).extracting(Backend::getIp, Backend::getPort)
        .containsExactlyInAnyOrder(tuple("10.244.0.21", 9080), tuple("10.244.0.22", 9080), tuple("10.244.0.23", 9080));
    assertThat(vservice(t, "productpage.default-9080").getBackendsList()).extracting(Backend::getIp).containsExactly("10.244.0.10");
    assertThat(vservice(t, "details.default-9080").getBackendsList()).extracting(Backend::getIp).containsExactly("10.244.0.11");
    assertThat(vservice(t, "ratings.default-9080").getBackendsList()).extracting(Backend::getIp).containsExactly("10.244.0.12");
  }

  @Test
  void translate_legacyDestinationPolicy_makesReviewsRandomDespiteSubsetOnlyRule() throws Exception {
    Translation t = translate(start("destination-policy-reviews-random.yaml"));

    assertThat(vservice(t, "reviews.default-9080").getLbType()).isEqualTo(LbType.RANDOM);
    assertThat(vservice(t, "details.default-9080").getLbType()).isEqualTo(LbType.ROUND_ROBIN);
  }

  @Test
  void translate_randomDestinationRule_makesReviewsRandomWithAllBackends() throws Exception {
    Translation t = translate(start("destination-rule-reviews-random.yaml"));

    VService reviews = vservice(t, "reviews.default-9080");
    assertThat(reviews.getLbType()).isEqualTo(LbType.RANDOM);
    assertThat(reviews.getBackendsList()).hasSize(3);
    assertThat(reviews.getSubsetsList()).isEmpty();
  }

  @Test
  void translate_virtualService8020_splitsReviewsBetweenV1AndV2Only() throws Exception {
    Translation t = translate(start("destination-rule-reviews-random.yaml", "virtual-service-reviews-80-20.yaml"));

    VService reviews = vservice(t, "reviews.default-9080");
    assertThat(reviews.getBackendsList()).isEmpty();
    assertThat(reviews.getSubsetsList()).extracting(Subset::getName, Subset::getWeight, s -> s.getBackendsList().stream().map(Backend::getIp).toList())
        .containsExactly(tuple("v1", 80, List.of("10.244.0.21")), tuple("v2", 20, List.of("10.244.0.22")));
  }
}
