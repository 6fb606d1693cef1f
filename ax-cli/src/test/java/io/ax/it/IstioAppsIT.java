package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ax's apps as Istio's pods: Istio's unmodified bookinfo.yaml, destination-rule-all.yaml and
 * virtual-service-reviews-90-10.yaml in pilot-lite's directory and no WorkloadEntry; the reviews
 * programs run under {@code ax run} with bookinfo's pod labels, and pilot-lite, watching the
 * daemon, makes them the endpoints of the Service {@code reviews} and of its subsets. A client
 * then makes 100 connections to the Service's address and gets the 90/10 split.
 */
class IstioAppsIT {
  private static final Path FIXTURES = Path.of(System.getProperty("ax.fixtures", "../istio-samples/fixtures"));
  private static final String REVIEWS = "reviews.default-9080";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path tmp;
  private AxProcess.Daemon daemon;
  private AxProcess.Background pilot;
  private AxProcess.Background agent;
  private final List<Process> apps = new ArrayList<>();

  @AfterEach
  void stopAll() {
    apps.forEach(AxRun::stop);
    if (agent != null) {
      agent.close();
    }
    if (pilot != null) {
      pilot.close();
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void bookinfoUnmodified_appsUnderAxRunAreTheEndpoints_9010SplitOver100Connections() throws Exception {
    Path config = Files.createDirectories(tmp.resolve("istio"));
    for (String f : List.of("platform/kube/bookinfo.yaml", "networking/destination-rule-all.yaml", "networking/virtual-service-reviews-90-10.yaml")) {
      Files.copy(FIXTURES.resolve("samples/bookinfo").resolve(f), config.resolve(Path.of(f).getFileName()));
    }
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start("--dns=false");
    AxRun ax = new AxRun(daemon);
    int xdsPort = AxProcess.freePort();
    pilot = new AxProcess.Background(tmp.resolve("pilot.log"), "pilot", "--config", config.toString(), "--port", Integer.toString(xdsPort),
        "--address", "127.0.0.1", "--metrics-port", "0", "--admin-socket", daemon.adminSocket().toString());
    pilot.awaitLog("watching the apps of the ax daemon", TIMEOUT);
    // Nothing runs yet: bookinfo's Services select nothing, and pilot-lite says so.
    pilot.awaitLog("Service default/reviews .*selector \\{app=reviews\\} selects no workload", TIMEOUT);
    agent = new AxProcess.Background(tmp.resolve("agent.log"), "agent", "--pilot", "127.0.0.1:" + xdsPort, "--admin-socket", daemon.adminSocket().toString(),
        "--resync", "1s");

    // bookinfo's reviews pods, as ax apps: the Deployments' labels, their own IPs, port 9080.
    String[][] reviews = {{"v1", "198.18.20.1"}, {"v2", "198.18.20.2"}, {"v3", "198.18.20.3"}};
    for (String[] r : reviews) {
      Path site = Files.createDirectories(tmp.resolve("site-" + r[0]));
      Files.writeString(site.resolve("id.txt"), r[0]);
      apps.add(ax.start(tmp.resolve("reviews-" + r[0] + ".log"), "--ip", r[1], "--name", "reviews-" + r[0], "--labels", "app=reviews,version=" + r[0] + ",zone=default",
          "--", RunIT.PYTHON, "-m", "http.server", "9080", "--directory", site.toString()));
    }
    for (String[] r : reviews) {
      ax.awaitServers(r[1] + ":9080", 1, apps.toArray(Process[]::new));
    }
    // The apps reach the daemon's vservice through pilot-lite and the agent: each subset names
    // its app (v3 is in no route of the VirtualService).
    ObjectMapper json = new ObjectMapper();
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(daemon.ax("get", "vservices").out())
        .containsPattern(REVIEWS.replace(".", "\\.") + "\\s.*\\sv1=90%\\[198\\.18\\.20\\.1:9080\\] v2=10%\\[198\\.18\\.20\\.2:9080\\]"));
    JsonNode vservices = json.readTree(daemon.ax("get", "vservices", "-o", "json").out());
    String vip = null;
    for (JsonNode vs : vservices.path("vservices")) {
      if (vs.path("name").asText().equals(REVIEWS)) {
        vip = vs.path("ip").asText();
      }
    }
    assertThat(vip).as("reviews.default-9080 in %s", vservices).isNotBlank();

    AxProcess.Result client = ax.run(Duration.ofSeconds(120), "--", RunIT.PYTHON, "-c",
        "import urllib.request\n"
            + "for _ in range(100): print(urllib.request.urlopen('http://" + vip + ":9080/id.txt', timeout=10).read().decode())\n");

    assertThat(client.exit()).as(client.err()).isZero();
    Map<String, Long> shares = new TreeMap<>(client.out().lines().collect(Collectors.groupingBy(l -> l, Collectors.counting())));
    // Smooth weighted round robin: exactly 9 and 1 in every 10 consecutive connections.
    assertThat(shares).isEqualTo(Map.of("v1", 90L, "v2", 10L));

    // reviews-v1 exits: it leaves the endpoints of the Service and of its subset.
    AxRun.stop(apps.getFirst());
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(daemon.ax("get", "vservices").out())
        .doesNotContain("198.18.20.1:9080").containsPattern(REVIEWS.replace(".", "\\.") + "\\s.*\\sv1=90%\\[\\] v2=10%\\[198\\.18\\.20\\.2:9080\\]"));

    // The daemon restarts: pilot-lite keeps the endpoints it knew while the daemon is away, and
    // follows the apps again once they have registered with the new daemon.
    assertThat(daemon.stop()).isIn(0, 143);
    pilot.awaitLog("cannot watch the apps of the ax daemon", TIMEOUT);
    daemon.start("--dns=false");
    pilot.awaitLog("watching the apps of the ax daemon at .* again", TIMEOUT);
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(daemon.ax("get", "vservices").out())
        .containsPattern(REVIEWS.replace(".", "\\.") + "\\s.*\\sv1=90%\\[\\] v2=10%\\[198\\.18\\.20\\.2:9080\\]"));
    assertThat(pilot.logText()).doesNotContain("Exception");
  }
}
