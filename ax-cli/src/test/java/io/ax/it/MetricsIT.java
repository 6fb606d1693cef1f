package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's {@code prometheus}, run by the test on loopback with a private
 * config and TSDB) scrapes a real daemon's {@code /metrics} every second while apps under
 * {@code ax run} connect through a vservice; the test asks Prometheus' HTTP API for the series
 * and their values, as a dashboard would. The same connects are in the decision log, which
 * {@code ax get decisions} lists and watches.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  /** Connects N times, one after another; prints "ok" or the error of each. */
  private static final String CLIENT = """
      import socket, sys
      host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
      for i in range(n):
          try:
              c = socket.create_connection((host, port), timeout=10)
              f = c.makefile()
              print(f.readline().strip(), flush=True)
              f.close()
              c.close()
          except OSError as e:
              print('error', e.errno, flush=True)
      """;

  /** Reads N bytes from each client, sends N back, and closes once the client has. */
  private static final String BULK_SERVER = """
      import socket, sys, threading
      port, n = int(sys.argv[1]), int(sys.argv[2])
      s = socket.socket()
      s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
      s.bind(('0.0.0.0', port))
      s.listen(64)
      def serve(c):
          got = 0
          while got < n:
              d = c.recv(65536)
              if not d:
                  break
              got += len(d)
          c.sendall(b'r' * n)
          while c.recv(65536):
              pass
          c.close()
      while True:
          c, _ = s.accept()
          threading.Thread(target=serve, args=(c,), daemon=True).start()
      """;
  /** Connects K times; each time sends N bytes, reads N back, closes. Prints the bytes read. */
  private static final String BULK_CLIENT = """
      import socket, sys
      host, port, k, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
      total = 0
      for i in range(k):
          c = socket.create_connection((host, port), timeout=10)
          c.sendall(b'q' * n)
          got = 0
          while got < n:
              d = c.recv(65536)
              if not d:
                  break
              got += len(d)
          total += got
          c.close()
      print(total, flush=True)
      """;
  private static final int MB = 1_000_000;

  @TempDir static Path tmp;
  private AxProcess.Daemon daemon;
  private AxRun ax;
  private Process prometheus;
  private int prometheusPort;
  private final List<Process> apps = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    assertThat(PROMETHEUS).as("Debian's prometheus (ci/install-deps.sh installs it)").isExecutable();
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start("--dns=false");
    ax = new AxRun(daemon);
    prometheusPort = AxProcess.freePort();
    Path config = tmp.resolve("prometheus.yml");
    Files.writeString(config, """
        global:
          scrape_interval: 1s
          scrape_timeout: 900ms
        scrape_configs:
          - job_name: ax
            static_configs:
              - targets: ['127.0.0.1:%d']
        """.formatted(daemon.metricsPort));
    prometheus = new ProcessBuilder(
            PROMETHEUS.toString(),
            "--config.file=" + config,
            "--storage.tsdb.path=" + tmp.resolve("tsdb"),
            "--web.listen-address=127.0.0.1:" + prometheusPort)
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("prometheus.log").toFile())
        .start();
    // Two servers behind one vservice; clients share their label (or not).
    Process a = server("web-a", "198.18.0.1", "tier=web");
    Process b = server("web-b", "198.18.0.2", "tier=web");
    ax.awaitServers("198.18.0.1:8080", 1, a);
    ax.awaitServers("198.18.0.2:8080", 1, b);
    AxProcess.Result created = daemon.ax("create", "vservice", "web", "--ip", "198.18.0.100", "--ports", "8080", "--backends", "198.18.0.1,198.18.0.2", "--lbtype", "RoundRobin");
    assertThat(created.exit()).as(created.err()).isZero();
    // A bulk server behind a vservice named as the xDS agent names Istio's Services.
    Process bulk = ax.start(tmp.resolve("server-bulk.log"), "--ip", "198.18.0.3", "--name", "bulk-v1", "--labels", "app=bulk,version=v1,tier=web", "--",
        RunIT.PYTHON, "-c", BULK_SERVER, "9000", Integer.toString(MB));
    apps.add(bulk);
    ax.awaitServers("198.18.0.3:9000", 1, bulk);
    created = daemon.ax("create", "vservice", "bulk.default-9000", "--ip", "198.18.0.101", "--ports", "9000", "--backends", "198.18.0.3",
        "--hostnames", "bulk.default.svc.cluster.local");
    assertThat(created.exit()).as(created.err()).isZero();
  }

  @AfterAll
  void stop() throws Exception {
    apps.forEach(AxRun::stop);
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly().waitFor();
      }
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  private Process server(String name, String ip, String labels) {
    Process p = ax.start(tmp.resolve("server-" + name + ".log"), "--ip", ip, "--name", name, "--labels", labels, "--",
        RunIT.PYTHON, "-c", LbRunIT.SERVER, name, "8080");
    apps.add(p);
    return p;
  }

  private List<String> client(String name, String labels, String host, int n) {
    AxProcess.Result r = ax.run(TIMEOUT, "--name", name, "--labels", labels, "--", RunIT.PYTHON, "-c", CLIENT, host, "8080", Integer.toString(n));
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out().lines().toList();
  }

  @Test
  void prometheusScrapesTheDaemon_connectsCountedBySourceDestinationBackendAndOutcome() throws Exception {
    // Ten connects from an app sharing a label (round robin: five each), three from one that shares none.
    assertThat(client("shop", "tier=web", "198.18.0.100", 10)).hasSize(10).containsOnly("web-a", "web-b");
    assertThat(client("stranger", "tier=other", "198.18.0.100", 3)).containsExactly("error 111", "error 111", "error 111");

    String opened = "ax_connections_opened_total{source_app=\"%s\",destination=\"web\",backend=\"%s\",outcome=\"%s\"}";
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      assertThat(value(opened.formatted("shop", "web-a", "connected"))).contains(5.0);
      assertThat(value(opened.formatted("shop", "web-b", "connected"))).contains(5.0);
      assertThat(value(opened.formatted("stranger", "none", "refused_by_acl"))).contains(3.0);
    });
    // The scrape is healthy, and the daemon's health series are there with the values of this setup.
    assertThat(value("up{job=\"ax\"}")).contains(1.0);
    assertThat(value("ax_vservices")).as("web and bulk").contains(2.0);
    assertThat(value("ax_service_entries{node=\"it-node\"}")).as("web-a, web-b and bulk-v1").contains(3.0);
    assertThat(value("sum(ax_trapped_syscalls_total{syscall=\"connect\",answer=\"value\"})")).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(10.0));
    assertThat(value("sum(ax_trapped_syscalls_total{syscall=\"connect\",answer=\"errno\"})")).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(3.0));
    assertThat(value("ax_trapped_call_duration_seconds_count{syscall=\"connect\"}")).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(13.0));
    assertThat(value("ax_connect_decision_duration_seconds_count")).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(13.0));
    assertThat(value("ax_state_writes_total{result=\"ok\"}")).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1.0));
    assertThat(value("sum(ax_admin_requests_total{code=\"OK\"})")).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1.0));
    assertThat(value("jvm_threads_current")).hasValueSatisfying(v -> assertThat(v).isPositive());
  }

  @Test
  void istioTcpMetrics_tenConnectsMovingOneMbEachWay_bytesFromTheKernelWithIstiosLabels() throws Exception {
    AxProcess.Result r = ax.run(TIMEOUT, "--name", "loader", "--labels", "app=loader,version=v3,tier=web", "--",
        RunIT.PYTHON, "-c", BULK_CLIENT, "198.18.0.101", "9000", "10", Integer.toString(MB));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip()).isEqualTo(Integer.toString(10 * MB));

    String labels = "{reporter=\"source\",source_workload=\"loader\",source_app=\"loader\",source_version=\"v3\","
        + "destination_service=\"bulk.default.svc.cluster.local\",destination_service_name=\"bulk\",destination_service_namespace=\"default\","
        + "destination_workload=\"bulk-v1\",destination_app=\"bulk\",destination_version=\"v1\",request_protocol=\"tcp\"}";
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      assertThat(value("istio_tcp_connections_opened_total" + labels)).contains(10.0);
      assertThat(value("istio_tcp_connections_closed_total" + labels)).contains(10.0);
      // What the client sent, each byte once: exactly its payload.
      assertThat(value("istio_tcp_received_bytes_total" + labels)).contains(10.0 * MB);
    });
    // What it received: the payload, and the kernel counts the server's FIN as one byte.
    assertThat(value("istio_tcp_sent_bytes_total" + labels)).hasValueSatisfying(v -> assertThat(v).isBetween(10.0 * MB, 10.0 * MB + 10));
  }

  @Test
  void metricsEndpoint_openMetricsAskedFor_answersOpenMetrics() throws Exception {
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.metricsPort + "/metrics"))
            .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8")
            .build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
    assertThat(r.body()).contains("# TYPE ax_connections_opened counter").endsWith("# EOF\n");
  }

  @Test
  void getDecisions_refusedApp_showsTheRefusalAndItsReason() {
    assertThat(client("blocked", "tier=other", "198.18.0.100", 1)).containsExactly("error 111");

    AxProcess.Result r = daemon.ax("get", "decisions", "--app", "blocked");

    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.getFirst()).startsWith("TIME").contains("APP", "DESTINATION", "DECISION", "BACKEND", "REASON");
    assertThat(lines).hasSize(3); // header, dashes, the one decision
    assertThat(lines.get(2)).contains("blocked", "198.18.0.100:8080 (web)", "refused_by_acl", "shares no label with vservice web");
  }

  @Test
  void getDecisionsWatch_json_streamsEachConnectAsItIsDecided() throws Exception {
    try (AxProcess.Background watch = new AxProcess.Background(tmp.resolve("watch.log"),
        "get", "decisions", "--watch", "-o", "json", "--app", "watched", "--admin", daemon.adminSocket().toString())) {
      // Recent decisions are replayed first, so the watch misses none whenever it attaches.
      assertThat(client("watched", "tier=web", "198.18.0.100", 2)).hasSize(2).doesNotContain("error 111");

      await().atMost(TIMEOUT).until(() -> watch.logText().lines().filter(l -> l.startsWith("{")).count() == 2);
      List<JsonNode> decisions = new ArrayList<>();
      for (String line : watch.logText().lines().filter(l -> l.startsWith("{")).toList()) {
        decisions.add(JSON.readTree(line));
      }
      assertThat(decisions).allSatisfy(d -> {
        assertThat(d.path("app").asText()).isEqualTo("watched");
        assertThat(d.path("destination_name").asText()).isEqualTo("web");
        assertThat(d.path("outcome").asText()).isEqualTo("connected");
        assertThat(d.path("dialed").asInt()).isEqualTo(1);
      });
      assertThat(decisions).extracting(d -> d.path("backend_name").asText()).containsExactlyInAnyOrder("web-a", "web-b");
    }
  }

  /**
   * The value of an instant query's one result, once Prometheus has it; empty while it has none.
   * Fails on a query error or on several results (the query must name one series).
   */
  private Optional<Double> value(String query) throws IOException, InterruptedException {
    URI uri = URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
    HttpResponse<String> r;
    try {
      r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      assertThat(prometheus.isAlive()).as("prometheus exited: %s", Files.readString(tmp.resolve("prometheus.log"))).isTrue();
      return Optional.empty(); // not listening yet
    }
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("status").asText()).as("%s: %s", query, r.body()).isEqualTo("success");
    JsonNode result = body.path("data").path("result");
    assertThat(result.size()).as("%s: %s", query, r.body()).isLessThanOrEqualTo(1);
    return result.isEmpty() ? Optional.empty() : Optional.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
  }
}
