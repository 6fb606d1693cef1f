package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ax.admin.AdminChannel;
import io.ax.admin.v1.EventType;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.VServiceEvent;
import io.ax.admin.v1.VServicesGrpc;
import io.ax.admin.v1.WatchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pilot-lite, the xDS agent and the daemon as three real processes, with Istio's own bookinfo
 * YAML: a DestinationRule dropped into pilot-lite's directory ends up as the daemon's load
 * balancer, and the agent heals a daemon that lost its state.
 */
class XdsAgentIT {
  private static final Logger log = LoggerFactory.getLogger(XdsAgentIT.class);
  private static final Path FIXTURES = Path.of(System.getProperty("ax.fixtures", "../istio-samples/fixtures"));
  private static final String REVIEWS = "reviews.default-9080";

  @TempDir Path tmp;
  private Path config;
  private AxProcess.Daemon daemon;
  private AxProcess.Background pilot;
  private AxProcess.Background agent;

  private int agentMetricsPort;
  private int pilotMetricsPort;

  @BeforeEach
  void startAll() throws Exception {
    config = Files.createDirectories(tmp.resolve("istio"));
    Files.copy(FIXTURES.resolve("samples/bookinfo/platform/kube/bookinfo.yaml"), config.resolve("bookinfo.yaml"));
    Files.writeString(config.resolve("workloads.yaml"), workloadEntries());
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start();
    int xdsPort = AxProcess.freePort();
    pilotMetricsPort = AxProcess.freePort();
    pilot = new AxProcess.Background(tmp.resolve("pilot.log"), "pilot", "--config", config.toString(), "--port", Integer.toString(xdsPort), "--address", "127.0.0.1",
        "--metrics-port", Integer.toString(pilotMetricsPort));
    pilot.awaitLog("serving \\d+ services", Duration.ofSeconds(60));
    agentMetricsPort = AxProcess.freePort();
    agent = new AxProcess.Background(tmp.resolve("agent.log"), "agent", "--pilot", "127.0.0.1:" + xdsPort, "--admin-socket", daemon.adminSocket().toString(), "--resync", "1s",
        "--metrics-port", Integer.toString(agentMetricsPort));
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> daemon.ax("get", "vservices").out().contains(REVIEWS));
  }

  @AfterEach
  void stopAll() {
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
  void destinationRule_droppedIntoConfigDir_reviewsBecomesRandom_andRemovalRestoresRoundRobin() throws Exception {
    assertThat(daemon.ax("get", "vservices").out()).containsPattern(REVIEWS + "\\s+RoundRobin\\s+\\S+\\s+\\[\\{9080 9080\\}\\]\\s+\\[10\\.1\\.0\\.1:9080 10\\.1\\.0\\.2:9080 10\\.1\\.0\\.3:9080\\]");

    try (Watch watch = new Watch(daemon.adminSocket())) {
      long start = System.nanoTime();
      Files.copy(FIXTURES.resolve("samples/bookinfo/networking/destination-rule-reviews.yaml"), config.resolve("destination-rule-reviews.yaml"));
      watch.awaitLb(REVIEWS, LbType.RANDOM);
      log.info("destination rule to daemon: {} ms", (System.nanoTime() - start) / 1_000_000);
    }
    assertThat(daemon.ax("get", "vservices").out()).containsPattern(REVIEWS + "\\s+Random\\s");

    try (Watch watch = new Watch(daemon.adminSocket())) {
      Files.delete(config.resolve("destination-rule-reviews.yaml"));
      watch.awaitLb(REVIEWS, LbType.ROUND_ROBIN);
    }
    assertThat(daemon.ax("get", "vservices").out()).containsPattern(REVIEWS + "\\s+RoundRobin\\s");

    // SIGTERM: 143 is the JVM's exit code after its shutdown hooks ran; a clean stop logs no trace.
    assertThat(agent.stop()).as(agent.logText()).isIn(0, 143);
    assertThat(pilot.stop()).as(pilot.logText()).isIn(0, 143);
    assertThat(agent.logText()).contains("[agent] stopping").doesNotContain("Exception");
    assertThat(pilot.logText()).doesNotContain("Exception");
  }

  @Test
  void agentAndPilotMetrics_afterThePush_countTheSameAcks() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + agentMetricsPort + "/metrics");
    java.net.URI pilotUri = java.net.URI.create("http://127.0.0.1:" + pilotMetricsPort + "/metrics");
    // The vservices are in the daemon, so a push succeeded and the resources it came from were ACKed.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      String text = http.send(java.net.http.HttpRequest.newBuilder(uri).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metric(text, "ax_agent_pushes_total{result=\"ok\"}")).isGreaterThanOrEqualTo(1);
      assertThat(metric(text, "ax_agent_vservices_applied_total{change=\"created\"}")).isGreaterThanOrEqualTo(4); // bookinfo's four Services
      assertThat(metric(text, "ax_agent_xds_acks_total")).isGreaterThanOrEqualTo(1);
      assertThat(metric(text, "ax_agent_xds_nacks_total")).isZero();
      assertThat(metric(text, "ax_agent_xds_streams_total")).isEqualTo(1);

      // The other end of the same stream: pilot-lite saw one node, pushed all four types, each ACKed.
      String served = http.send(java.net.http.HttpRequest.newBuilder(pilotUri).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metric(served, "ax_pilot_xds_streams_total")).isEqualTo(1);
      assertThat(metric(served, "ax_pilot_xds_connected_streams")).isEqualTo(1);
      for (String type : java.util.List.of("cluster", "endpoint", "listener", "route")) {
        assertThat(metric(served, "ax_pilot_xds_acks_total{type=\"" + type + "\"}")).as(type).isGreaterThanOrEqualTo(1);
        assertThat(metric(served, "ax_pilot_xds_ack_latency_seconds_count{type=\"" + type + "\"}")).as(type).isGreaterThanOrEqualTo(1);
      }
      assertThat(metric(served, "ax_pilot_xds_nacks_total{type=\"cluster\"}")).isZero();
      assertThat(metric(served, "ax_pilot_config_builds_total{outcome=\"published\"}")).isGreaterThanOrEqualTo(1);
      assertThat(metric(served, "ax_pilot_config_files_refused")).isZero();
      // Both ends count the same ACKs: the agent's total is the pilot's over the four types.
      double pilotAcks = 0;
      for (String type : java.util.List.of("cluster", "endpoint", "listener", "route", "other")) {
        pilotAcks += metric(served, "ax_pilot_xds_acks_total{type=\"" + type + "\"}");
      }
      assertThat(pilotAcks).isEqualTo(metric(text, "ax_agent_xds_acks_total"));
    });
  }

  /** The value of the series named exactly {@code series} in a scrape; fails when it is absent. */
  private static double metric(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
        .orElseThrow(() -> new AssertionError(series + " is not in the scrape"));
  }

  @Test
  void daemonRestartedClean_agentPushesTheServicesAgain() {
    assertThat(daemon.stop()).isIn(0, 143);
    daemon.start("--clean");

    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> daemon.ax("get", "vservices").out().contains(REVIEWS));
    assertThat(daemon.ax("get", "vservices", "-o", "wide").out()).containsPattern(REVIEWS + ".*xds-agent");
  }

  /** One WorkloadEntry per bookinfo pod, so that each Service has endpoints. */
  private static String workloadEntries() {
    StringBuilder y = new StringBuilder();
    String[][] pods = {
      {"details", "v1", "10.1.1.1"}, {"ratings", "v1", "10.1.2.1"}, {"productpage", "v1", "10.1.3.1"},
      {"reviews", "v1", "10.1.0.1"}, {"reviews", "v2", "10.1.0.2"}, {"reviews", "v3", "10.1.0.3"},
    };
    for (String[] pod : pods) {
      y.append("""
          apiVersion: networking.istio.io/v1
          kind: WorkloadEntry
          metadata:
            name: %s-%s
            namespace: default
          spec:
            address: %s
            labels:
              app: %s
              version: %s
          ---
          """.formatted(pod[0], pod[1], pod[2], pod[0], pod[1]));
    }
    return y.toString();
  }

  /** A VServices.Watch stream on the daemon's admin socket. */
  private static final class Watch implements AutoCloseable {
    private final AdminChannel channel;
    private final Iterator<VServiceEvent> events;

    Watch(Path socket) {
      channel = AdminChannel.unix(socket);
      events = VServicesGrpc.newBlockingStub(channel.channel()).withDeadlineAfter(30, TimeUnit.SECONDS).watch(WatchRequest.getDefaultInstance());
    }

    /** Reads events (the replay, then changes) until {@code name} has load balancer {@code lb}. */
    void awaitLb(String name, LbType lb) {
      while (true) {
        VServiceEvent e = events.next();
        if (e.getType() != EventType.DELETED && e.getVservice().getName().equals(name) && e.getVservice().getLbType() == lb) {
          return;
        }
      }
    }

    @Override
    public void close() {
      channel.close();
    }
  }
}
