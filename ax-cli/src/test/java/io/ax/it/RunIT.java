package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmodified programs from Debian under {@code ax run}, against a real daemon: Python's
 * http.server, curl, nginx and a static busybox. Each test uses its own virtual IPs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunIT {
  static final String PYTHON = "/usr/bin/python3";
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

  @TempDir static Path tmp;
  private AxProcess.Daemon daemon;
  private AxRun ax;
  private final List<Process> servers = new ArrayList<>();

  @BeforeAll
  void startDaemon() {
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start();
    ax = new AxRun(daemon);
  }

  @AfterEach
  void stopServers() {
    servers.forEach(AxRun::stop);
    servers.clear();
  }

  @AfterAll
  void stopDaemon() {
    daemon.close();
  }

  /** A directory served by http.server whose id.txt names the server. */
  static Path site(Path root, String id) throws Exception {
    Path dir = Files.createDirectories(root.resolve("site-" + id));
    Files.writeString(dir.resolve("id.txt"), id + "\n");
    return dir;
  }

  private Process server(String name, String... args) {
    Process p = ax.start(tmp.resolve(name + ".log"), args);
    servers.add(p);
    return p;
  }

  private AxProcess.Result curl(String... args) {
    List<String> all = new ArrayList<>(List.of("--", "curl", "-s", "--max-time", "10"));
    all.addAll(List.of(args));
    return ax.run(CLIENT_TIMEOUT, all.toArray(String[]::new));
  }

  private AxProcess.Result curlAs(String labels, String url) {
    return ax.run(CLIENT_TIMEOUT, "--labels", labels, "--", "curl", "-s", "--max-time", "10", url);
  }

  @Test
  void httpServerOnVirtualIp_curlUnderAx_gets200() throws Exception {
    Path site = site(tmp, "one");
    Process p = server("http-one", "--ip", "198.18.1.1", "--", PYTHON, "-m", "http.server", "8000", "--directory", site.toString());
    ax.awaitServers("198.18.1.1:8000", 1, p);

    AxProcess.Result r = curl("-I", "198.18.1.1:8000");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("HTTP/1.0 200 OK");
  }

  @Test
  void twoServersOnOneIp_twentyClients_reachBoth() throws Exception {
    Process a = server("lb-a", "--ip", "198.18.1.2", "--", PYTHON, "-m", "http.server", "8000", "--directory", site(tmp, "a").toString());
    Process b = server("lb-b", "--ip", "198.18.1.2", "--", PYTHON, "-m", "http.server", "8000", "--directory", site(tmp, "b").toString());
    ax.awaitServers("198.18.1.2:8000", 2, a, b);

    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      AxProcess.Result r = curl("198.18.1.2:8000/id.txt");
      assertThat(r.exit()).as(r.err()).isZero();
      seen.merge(r.out().strip(), 1, Integer::sum);
    }

    assertThat(seen).containsOnlyKeys("a", "b");
    assertThat(seen.get("a") + seen.get("b")).isEqualTo(20);
  }

  @Test
  void labelledServers_clientReachesOnlyItsLabel_strangerRefused() throws Exception {
    Process prod = server("prod", "--ip", "198.18.1.3", "--labels", "role=prod", "--", PYTHON, "-m", "http.server", "8000", "--directory", site(tmp, "prod").toString());
    Process test = server("test", "--ip", "198.18.1.3", "--labels", "role=test", "--", PYTHON, "-m", "http.server", "8000", "--directory", site(tmp, "test").toString());
    ax.awaitServers("198.18.1.3:8000", 2, prod, test);

    for (int i = 0; i < 10; i++) {
      AxProcess.Result r = curlAs("role=test", "198.18.1.3:8000/id.txt");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out().strip()).isEqualTo("test");
    }
    AxProcess.Result stranger = curlAs("role=other", "198.18.1.3:8000/id.txt");
    assertThat(stranger.exit()).as("curl exit 7: could not connect").isEqualTo(7);
    AxProcess.Result naked = curlAs("", "198.18.1.3:8000/id.txt");
    assertThat(naked.exit()).isEqualTo(7);
  }

  @Test
  void nginxOnPort80UnderIp_servesCurl() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("nginx"));
    Files.writeString(root.resolve("index.html"), "hello from nginx under ax\n");
    Path conf = root.resolve("nginx.conf");
    Files.writeString(conf, """
        user root;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log stderr;
        events { worker_connections 64; }
        http {
          access_log off;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          server { listen 80; root %1$s; }
        }
        """.formatted(root));
    Process nginx = server("nginx", "--ip", "198.18.1.4", "--", "nginx", "-c", conf.toString(), "-g", "daemon off;");
    ax.awaitServers("198.18.1.4:80", 1, nginx);

    AxProcess.Result r = curl("198.18.1.4/index.html");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("hello from nginx under ax\n");
  }

  @Test
  void staticBusybox_httpdServerAndWgetClient() throws Exception {
    Path site = site(tmp, "busybox");
    Process httpd = server("busybox-httpd", "--ip", "198.18.1.5", "--", "busybox", "httpd", "-f", "-p", "8080", "-h", site.toString());
    ax.awaitServers("198.18.1.5:8080", 1, httpd);

    AxProcess.Result r = ax.run(CLIENT_TIMEOUT, "--", "busybox", "wget", "-q", "-O", "-", "http://198.18.1.5:8080/id.txt");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("busybox\n");
  }

  @Test
  void expose_plainCurlOutsideAx_reachesNodePort() throws Exception {
    int hostPort = AxProcess.freePort();
    Process p = server("exposed", "--expose", "8000:" + hostPort, "--", PYTHON, "-m", "http.server", "8000", "--directory", site(tmp, "exposed").toString());
    String nodeIp = ax.nodeIp();
    ax.awaitServers(nodeIp + ":8000", 1, p);

    AxProcess.Result r = AxRun.run(new ProcessBuilder("curl", "-s", "--max-time", "10", "http://" + nodeIp + ":" + hostPort + "/id.txt"), CLIENT_TIMEOUT);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("exposed\n");
  }

  @Test
  void serverExits_entriesLeaveTheServiceTable() throws Exception {
    Process p = server("leaving", "--ip", "198.18.1.6", "--", PYTHON, "-m", "http.server", "8000", "--directory", site(tmp, "leaving").toString());
    ax.awaitServers("198.18.1.6:8000", 1, p);
    assertThat(daemon.ax("get", "servers").out()).contains("198.18.1.6:8000");

    AxRun.stop(p);

    await().atMost(Duration.ofSeconds(15)).until(() -> ax.serversAt("198.18.1.6:8000") == 0);
    assertThat(daemon.ax("get", "servers").out()).doesNotContain("198.18.1.6:8000");
    assertThat(daemon.ax("get", "sockets").out()).doesNotContain("198.18.1.6:8000");
  }

  @Test
  void vserviceWithARefusingBackend_everyConnectFailsOverToTheLiveOne() throws Exception {
    Process live = server("failover-live", "--ip", "198.18.6.2", "--", PYTHON, "-m", "http.server", "8000", "--directory", site(tmp, "live").toString());
    ax.awaitServers("198.18.6.2:8000", 1, live);
    // 127.0.0.1:1 refuses at once; RoundRobin puts it first for every other connection.
    AxProcess.Result created = daemon.ax("create", "vservice", "failover", "--ip", "198.18.9.9", "--ports", "80:8000", "--lbtype", "RoundRobin", "--backends", "127.0.0.1:1,198.18.6.2");
    assertThat(created.exit()).as(created.err()).isZero();

    for (int i = 0; i < 6; i++) {
      AxProcess.Result nonBlocking = curl("198.18.9.9/id.txt");
      assertThat(nonBlocking.exit()).as("curl (non-blocking connect) %d: %s", i, nonBlocking.err()).isZero();
      assertThat(nonBlocking.out()).isEqualTo("live\n");
      AxProcess.Result blocking = ax.run(CLIENT_TIMEOUT, "--", PYTHON, "-c",
          "import urllib.request; print(urllib.request.urlopen('http://198.18.9.9/id.txt', timeout=10).read().decode(), end='')");
      assertThat(blocking.exit()).as("python (blocking connect) %d: %s", i, blocking.err()).isZero();
      assertThat(blocking.out()).isEqualTo("live\n");
    }
  }

  @Test
  void loopback_isEachAppsOwn_hostAndOtherAppsUnreachable() throws Exception {
    Process p = server("loopback", "--", PYTHON, "-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory", site(tmp, "loop").toString());
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(tmp.resolve("loopback.log")).contains("Serving HTTP"));

    // Another app's 127.0.0.1 is its own: nothing listens there.
    AxProcess.Result other = curl("127.0.0.1:8000/id.txt");
    // The daemon's REST API on the host's loopback is not reachable from an app either.
    AxProcess.Result host = curl("http://127.0.0.1:" + daemon.restPort + "/appswitch/v1/nodes");

    assertThat(other.exit()).isEqualTo(7);
    assertThat(host.exit()).isEqualTo(7);
    assertThat(ax.get("servers").toString()).doesNotContain("127.0.0.1");
  }

  @Test
  void getApps_runningProgram_listedWithReferenceColumns() throws Exception {
    Process p = server("listed", "--ip", "198.18.1.7", "--name", "listed", "--", PYTHON, "-m", "http.server", "8000", "--directory", site(tmp, "listed").toString());
    ax.awaitServers("198.18.1.7:8000", 1, p);

    String apps = daemon.ax("get", "apps").out();
    String sockets = daemon.ax("get", "sockets").out();

    assertThat(apps.lines().findFirst().orElseThrow().split("\\s+")).containsExactly("NAME", "APPID", "NODEID", "CLUSTER", "APPIP", "DRIVER", "LABELS", "ZONES");
    assertThat(apps).containsPattern("listed\\s+[0-9a-f]{8}\\s+it-node\\s+appswitch\\s+198\\.18\\.1\\.7\\s+user\\s+zone=default\\s+\\[zone==default\\]");
    assertThat(sockets.lines().findFirst().orElseThrow().split("\\s+")).containsExactly("ID", "NODEID", "APPID", "INODE", "PROTO", "FLAGS", "BINDIP", "BACKLOG");
    assertThat(sockets).containsPattern("it-node\\s+[0-9a-f]{8}\\s+\\d+\\s+tcp\\s+0\\s+198\\.18\\.1\\.7:8000\\s+\\d+");
  }
}
