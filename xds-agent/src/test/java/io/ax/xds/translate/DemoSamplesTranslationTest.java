package io.ax.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.Endpoint;
import io.ax.admin.v1.Label;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.Protocol;
import io.ax.admin.v1.Server;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.VService;
import io.ax.xds.pilot.apps.AppWorkloads;
import io.ax.xds.pilot.config.ConfigObject;
import io.ax.xds.pilot.config.ConfigParser;
import io.ax.xds.pilot.config.Yaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bookinfo demo step by step as ci/demo.sh applies it: Istio's own unmodified files, and the
 * demo's six apps (their {@code ax run --ip} and labels) as the endpoints pilot-lite makes of the
 * daemon's service table. Gives the vservices the demo shows and whose distributions its quick
 * mode asserts.
 */
class DemoSamplesTranslationTest {
  private static final Path SAMPLES = Path.of(System.getProperty("ax.fixtures", "../istio-samples/fixtures")).resolve("samples/bookinfo");
  private static final String[] START = {"platform/kube/bookinfo.yaml", "networking/destination-rule-all.yaml"};
  /** name, version, --ip: as demo.sh's APPS. */
  private static final String[][] APPS = {
    {"productpage", "v1", "198.18.0.10"}, {"details", "v1", "198.18.0.11"}, {"ratings", "v1", "198.18.0.12"},
    {"reviews", "v1", "198.18.0.21"}, {"reviews", "v2", "198.18.0.22"}, {"reviews", "v3", "198.18.0.23"}};

  private static Translation translate(String... files) throws Exception {
    List<ConfigObject> objects = new ArrayList<>();
    for (String f : files) {
      objects.addAll(ConfigParser.parse(Path.of(f).getFileName().toString(), Files.readAllBytes(SAMPLES.resolve(f)), Yaml.Format.YAML).objects());
    }
    List<Server> servers = new ArrayList<>();
    for (String[] a : APPS) {
      servers.add(Server.newBuilder().setId("demo/" + servers.size()).setAppId(String.format("0000000%d", servers.size())).setName(a[0] + "-" + a[1])
          .setProtocol(Protocol.TCP).setServiceAddr(Endpoint.newBuilder().setIp(a[2]).setPort(9080))
          .addLabels(Label.newBuilder().setKey("app").setValue(a[0])).addLabels(Label.newBuilder().setKey("version").setValue(a[1]))
          .addLabels(Label.newBuilder().setKey("zone").setValue("default")).build());
    }
    objects.addAll(AppWorkloads.of(servers));
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
  void translate_demoStart_givesFourRoundRobinServicesWithTheAppsAsBackends() throws Exception {
    Translation t = translate(START);

    // bookinfo.yaml gives no cluster IPs: pilot-lite allocates them (240.240.0.0/16, never a real host).
    assertThat(t.vservices()).extracting(VService::getName, VService::getLbType, v -> v.getHostnames(0), v -> v.getIp().startsWith("240.240."))
        .containsExactly(
            tuple("details.default-9080", LbType.ROUND_ROBIN, "details.default.svc.cluster.local", true),
            tuple("productpage.default-9080", LbType.ROUND_ROBIN, "productpage.default.svc.cluster.local", true),
            tuple("ratings.default-9080", LbType.ROUND_ROBIN, "ratings.default.svc.cluster.local", true),
            tuple("reviews.default-9080", LbType.ROUND_ROBIN, "reviews.default.svc.cluster.local", true));
    assertThat(vservice(t, "reviews.default-9080").getBackendsList()).extracting(Backend::getIp, Backend::getPort)
        .containsExactlyInAnyOrder(tuple("198.18.0.21", 9080), tuple("198.18.0.22", 9080), tuple("198.18.0.23", 9080));
    assertThat(vservice(t, "productpage.default-9080").getBackendsList()).extracting(Backend::getIp).containsExactly("198.18.0.10");
    assertThat(vservice(t, "details.default-9080").getBackendsList()).extracting(Backend::getIp).containsExactly("198.18.0.11");
    assertThat(vservice(t, "ratings.default-9080").getBackendsList()).extracting(Backend::getIp).containsExactly("198.18.0.12");
  }

  @Test
  void translate_legacyDestinationPolicy_makesReviewsRandomDespiteSubsetOnlyRule() throws Exception {
    Translation t = translate(start("kube/destination-policy-reviews.yaml"));

    assertThat(vservice(t, "reviews.default-9080").getLbType()).isEqualTo(LbType.RANDOM);
    assertThat(vservice(t, "details.default-9080").getLbType()).isEqualTo(LbType.ROUND_ROBIN);
  }

  @Test
  void translate_randomDestinationRule_makesReviewsRandomWithAllBackends() throws Exception {
    Translation t = translate(start("networking/destination-rule-reviews.yaml"));

    VService reviews = vservice(t, "reviews.default-9080");
    assertThat(reviews.getLbType()).isEqualTo(LbType.RANDOM);
    assertThat(reviews.getBackendsList()).hasSize(3);
    assertThat(reviews.getSubsetsList()).isEmpty();
  }

  @Test
  void translate_virtualService8020_splitsReviewsBetweenV1AndV2Only() throws Exception {
    Translation t = translate(start("networking/destination-rule-reviews.yaml", "networking/virtual-service-reviews-80-20.yaml"));

    VService reviews = vservice(t, "reviews.default-9080");
    assertThat(reviews.getBackendsList()).isEmpty();
    assertThat(reviews.getSubsetsList()).extracting(Subset::getName, Subset::getWeight, s -> s.getBackendsList().stream().map(Backend::getIp).toList())
        .containsExactly(tuple("v1", 80, List.of("198.18.0.21")), tuple("v2", 20, List.of("198.18.0.22")));
  }
}
