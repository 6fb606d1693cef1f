package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vservice's connection limit, outlier detection and connect timeout with real programs under
 * {@code ax run}. The backend that refuses is a loopback port nobody listens on; the one that
 * never answers is a loopback listener whose accept queue the test fills, so that the kernel
 * drops every further SYN ({@code tcp_conn_request}: a full accept queue drops the SYN) and a
 * connect to it waits in SYN_SENT. Nothing leaves this machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResilienceIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  /**
   * Blocking connects (no Python timeout, which would make the socket non-blocking), one after
   * another: prints each server's id (or the error) and how long the connect took; with "hold"
   * keeps every connection open until the end.
   */
  static final String CLIENT = """
      import socket, sys, time
      host, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == 'hold'
      held = []
      for i in range(n):
          t0 = time.monotonic()
          c = socket.socket()
          try:
              c.connect((host, port))
          except OSError as e:
              print('error', e.errno, '%.3f' % (time.monotonic() - t0), flush=True)
              c.close()
              continue
          f = c.makefile()
          print(f.readline().strip(), '%.3f' % (time.monotonic() - t0), flush=True)
          if hold:
              held.append((c, f))
          else:
              f.close()
              c.close()
      """;

  @TempDir static Path tmp;
  private AxProcess.Daemon daemon;
  private AxRun ax;
  private final List<Process> apps = new ArrayList<>();

  @BeforeAll
  void startDaemon() {
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start("--locality", "us-east/a/rack1");
    ax = new AxRun(daemon);
  }

  @AfterEach
  void stopApps() {
    apps.forEach(AxRun::stop);
    apps.clear();
  }

  @AfterAll
  void stopDaemon() {
    daemon.close();
  }

  private void server(String id, String ip, int port) {
    Process p = ax.start(tmp.resolve("server-" + id + ".log"), "--ip", ip, "--", RunIT.PYTHON, "-c", LbRunIT.SERVER, id, Integer.toString(port));
    apps.add(p);
    ax.awaitServers(ip + ":" + port, 1, p);
  }

  private List<String> client(String name, String host, int port, int connects, String mode) {
    AxProcess.Result r = ax.run(TIMEOUT, "--name", name, "--", RunIT.PYTHON, "-c", CLIENT, host, Integer.toString(port), Integer.toString(connects), mode);
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out().lines().toList();
  }

  private void create(String... args) {
    List<String> all = new ArrayList<>(List.of("create", "vservice"));
    all.addAll(List.of(args));
    AxProcess.Result r = daemon.ax(all.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isZero();
  }

  /** A loopback port that nothing listens on: a connect to it is refused at once. */
  private static int refusingPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private long metric(String name) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(r.body());
    assertThat(m.find()).as("%s in /metrics", name).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  private long decisions(String app, String outcome) {
    AxProcess.Result r = daemon.ax("get", "decisions", "--app", app, "-o", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    return Pattern.compile("\"outcome\"\\s*:\\s*\"" + outcome + "\"").matcher(r.out()).results().count();
  }

  @Test
  void maxConnections_twoHeld_theThirdIsRefusedAndCounted() throws Exception {
    server("A", "198.18.21.1", 7100);
    create("capped", "--ip", "198.18.21.100", "--ports", "7100", "--backends", "198.18.21.1", "--max-connections", "2");
    assertThat(daemon.ax("get", "vservices", "-o", "wide").out()).contains("max=2");

    List<String> out = client("capped-client", "198.18.21.100", 7100, 3, "hold");

    assertThat(out).hasSize(3);
    assertThat(out.get(0)).startsWith("A ");
    assertThat(out.get(1)).startsWith("A ");
    assertThat(out.get(2)).as("the third concurrent connect").startsWith("error 111 "); // ECONNREFUSED
    assertThat(decisions("capped-client", "refused_overflow")).isEqualTo(1);
    // The held connections closed with their client: the limit lets new ones in again.
    assertThat(client("capped-client-2", "198.18.21.100", 7100, 2, "hold")).allMatch(l -> l.startsWith("A "));
  }

  @Test
  void outlierDetection_refusingBackendEjectedAfterTwoFailures_laterConnectsGoStraightToTheLiveOne() throws Exception {
    server("B", "198.18.22.1", 7200);
    long ejectionsBefore = metric("ax_outlier_ejections_total");
    // Round robin over [refuser, B]: without ejection every other connect starts at the
    // refuser and fails over (5 of 10).
    create("ejecting", "--ip", "198.18.22.100", "--ports", "7200", "--lbtype", "RoundRobin",
        "--backends", "127.0.0.1:" + refusingPort() + ",198.18.22.1", "--outlier-failures", "2", "--outlier-max-percent", "50");

    List<String> out = client("ejecting-client", "198.18.22.100", 7200, 10, "close");

    assertThat(out).hasSize(10).allMatch(l -> l.startsWith("B "));
    // Connects 1 and 3 start at the refuser and fail over; the second failure ejects it, and
    // from then on B is dialed first every time.
    assertThat(decisions("ejecting-client", "failed_over")).isEqualTo(2);
    assertThat(decisions("ejecting-client", "connected")).isEqualTo(8);
    assertThat(metric("ax_outlier_ejections_total") - ejectionsBefore).isEqualTo(1);
  }

  @Test
  void connectTimeout_silentBackend_failsOverWithinTheTimeout() throws Exception {
    server("C", "198.18.23.1", 7300);
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> queued = fillAcceptQueue(silent);
      try {
        create("timed", "--ip", "198.18.23.100", "--ports", "7300", "--lbtype", "RoundRobin",
            "--backends", "127.0.0.1:" + silent.getLocalPort() + ",198.18.23.1", "--connect-timeout", "300ms");

        List<String> out = client("timed-client", "198.18.23.100", 7300, 2, "close");

        // One of the two starts at the silent backend: 300 ms there, then C. Without the
        // timeout it would wait for the kernel (SYN retries, about two minutes).
        assertThat(out).hasSize(2).allMatch(l -> l.startsWith("C "));
        List<Double> seconds = out.stream().map(l -> Double.parseDouble(l.split(" ")[1])).toList();
        assertThat(seconds.stream().mapToDouble(Double::doubleValue).max().orElseThrow()).isBetween(0.29, 2.5);
        assertThat(decisions("timed-client", "failed_over")).isEqualTo(1);
      } finally {
        for (Socket s : queued) {
          s.close();
        }
      }
    }
  }

  @Test
  void localityFailover_ownSubzoneThenZoneFirst_otherRegionNeverWhileTheyServe() throws Exception {
    server("far", "198.18.24.1", 7400);
    server("near", "198.18.24.2", 7400);
    // Three localities for a node in us-east/a/rack1: its own subzone (a refusing port), its zone
    // (near) and another region (far).
    io.ax.admin.v1.VService vs = ItAdminClient.vs("local-first", "198.18.24.100", 7400, io.ax.admin.v1.LbType.ROUND_ROBIN)
        .addBackends(io.ax.admin.v1.Backend.newBuilder().setIp("198.18.24.1").setLocality("eu-west/b"))
        .addBackends(io.ax.admin.v1.Backend.newBuilder().setIp("127.0.0.1").setPort(refusingPort()).setLocality("us-east/a/rack1"))
        .addBackends(io.ax.admin.v1.Backend.newBuilder().setIp("198.18.24.2").setLocality("us-east/a/rack2"))
        .setResilience(io.ax.admin.v1.Resilience.newBuilder().setLocalityLb(io.ax.admin.v1.LocalityLb.newBuilder()
            .setMode(io.ax.admin.v1.LocalityMode.LOCALITY_FAILOVER)))
        .build();
    try (ItAdminClient admin = new ItAdminClient(daemon)) {
      var r = admin.apply("resilience-it", List.of(vs));
      assertThat(r.getCreated()).as(r.toString()).isEqualTo(1);
    }
    assertThat(daemon.ax("get", "vservices", "-o", "wide").out()).contains("locality=failover");

    List<String> out = client("local-client", "198.18.24.100", 7400, 6, "close");

    // Round robin alone would start at each backend in turn (far twice in six); by locality
    // every connect dials the node's own subzone first, fails over to its zone, never further.
    assertThat(out).hasSize(6).allMatch(l -> l.startsWith("near "));
    assertThat(decisions("local-client", "failed_over")).isEqualTo(6);
  }

  /**
   * Connects to {@code listener} (which never accepts) until a connect times out: the accept
   * queue is full and the kernel drops further SYNs.
   */
  private static List<Socket> fillAcceptQueue(ServerSocket listener) throws IOException {
    List<Socket> queued = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 200);
        queued.add(s);
      } catch (SocketTimeoutException e) {
        s.close();
        return queued;
      }
    }
    throw new AssertionError("the accept queue of " + listener + " never filled");
  }
}
