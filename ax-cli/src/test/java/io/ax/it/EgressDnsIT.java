package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An egress ServiceEntry with {@code resolution: DNS}, from Istio's own
 * tests/testdata/config/external_services.yaml, end to end: a real DNS server (dnsmasq, started by
 * the test on loopback) answers its host with an address on this machine; the agent resolves it
 * as Envoy would and the daemon's vservice takes the answers as backends; curl under ax run
 * reaches the host by name. When the answer changes, the backends follow. The file's
 * {@code resolution: NONE} host is not claimed: the daemon's DNS forwards it upstream.
 */
class EgressDnsIT {
  private static final Path FIXTURES = Path.of(System.getProperty("ax.fixtures", "../istio-samples/fixtures"));
  private static final String VSERVICE = "external.extsvc.com-1443";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path tmp;
  private Process dns;
  private AxProcess.Daemon daemon;
  private AxProcess.Background pilot;
  private AxProcess.Background agent;
  private final List<Process> servers = new ArrayList<>();

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
    servers.forEach(Process::destroy);
    if (dns != null) {
      dns.destroy();
    }
  }

  /** A plain HTTP server on {@code ip}:1443 (loopback) that answers /id.txt with {@code id}. */
  private void server(String ip, String id) throws Exception {
    Path site = Files.createDirectories(tmp.resolve("site-" + id));
    Files.writeString(site.resolve("id.txt"), id);
    servers.add(new ProcessBuilder(RunIT.PYTHON, "-m", "http.server", "1443", "--bind", ip, "--directory", site.toString())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("server-" + id + ".log").toFile()).start());
  }

  @Test
  void dnsServiceEntry_hostReachableByName_backendsFollowTheAnswers_noneHostResolvesUpstream() throws Exception {
    server("127.0.0.2", "a");
    server("127.0.0.3", "b");
    Path hosts = tmp.resolve("hosts");
    Files.writeString(hosts, "127.0.0.2 external.extsvc.com\n127.0.0.4 dst.extsvc.com\n");
    int dnsPort = AxProcess.freePort();
    // --local-ttl 1: the answers' TTL, so the agent asks again soon (after its 5 s floor). --user
    // root: dnsmasq reads the hosts file after dropping privileges, and the test's directory is root's.
    dns = new ProcessBuilder("dnsmasq", "--keep-in-foreground", "--user=root", "--no-resolv", "--no-hosts", "--addn-hosts=" + hosts, "--local-ttl=1",
        "--bind-interfaces", "--listen-address=127.0.0.1", "--port=" + dnsPort, "--pid-file=" + tmp.resolve("dnsmasq.pid"))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("dnsmasq.log").toFile()).start();
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> AxRun.run(new ProcessBuilder("dig", "@127.0.0.1", "-p", Integer.toString(dnsPort),
        "+time=1", "+tries=1", "+short", "external.extsvc.com", "A"), TIMEOUT).out().strip().equals("127.0.0.2"));
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start("--dns-servers", "127.0.0.1:" + dnsPort);
    AxRun ax = new AxRun(daemon);
    Path config = Files.createDirectories(tmp.resolve("istio"));
    Files.copy(FIXTURES.resolve("tests/testdata/config/external_services.yaml"), config.resolve("external_services.yaml"));
    int xdsPort = AxProcess.freePort();
    pilot = new AxProcess.Background(tmp.resolve("pilot.log"), "pilot", "--config", config.toString(), "--port", Integer.toString(xdsPort),
        "--address", "127.0.0.1", "--metrics-port", "0", "--no-apps");
    pilot.awaitLog("listening on", TIMEOUT);
    agent = new AxProcess.Background(tmp.resolve("agent.log"), "agent", "--pilot", "127.0.0.1:" + xdsPort, "--admin-socket", daemon.adminSocket().toString(),
        "--resync", "1s", "--dns-servers", "127.0.0.1:" + dnsPort);

    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(daemon.ax("get", "vservices").out())
        .containsPattern(VSERVICE.replace(".", "\\.") + "\\s.*127\\.0\\.0\\.2:1443"));
    AxProcess.Result first = ax.run(TIMEOUT, "--", "curl", "-s", "--max-time", "10", "http://external.extsvc.com:1443/id.txt");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).isEqualTo("a");

    // The answer changes: dnsmasq re-reads its hosts file on SIGHUP.
    Files.writeString(hosts, "127.0.0.3 external.extsvc.com\n127.0.0.4 dst.extsvc.com\n");
    AxProcess.Result hup = AxRun.run(new ProcessBuilder("kill", "-HUP", Long.toString(dns.pid())), TIMEOUT);
    assertThat(hup.exit()).as(hup.err()).isZero();
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(daemon.ax("get", "vservices").out())
        .containsPattern(VSERVICE.replace(".", "\\.") + "\\s.*127\\.0\\.0\\.3:1443").doesNotContain("127.0.0.2:1443"));
    AxProcess.Result second = ax.run(TIMEOUT, "--", "curl", "-s", "--max-time", "10", "http://external.extsvc.com:1443/id.txt");
    assertThat(second.exit()).as(second.err()).isZero();
    assertThat(second.out()).isEqualTo("b");

    // resolution NONE: no vservice claims dst.extsvc.com; the daemon's DNS forwards it upstream.
    assertThat(daemon.ax("get", "vservices").out()).doesNotContain("dst.extsvc.com");
    AxProcess.Result dig = AxRun.run(new ProcessBuilder("dig", "@" + ax.nodeIp(), "+time=2", "+tries=1", "+short", "dst.extsvc.com", "A"), TIMEOUT);
    assertThat(dig.out().strip()).isEqualTo("127.0.0.4");
    assertThat(agent.logText()).contains("[dns] external.extsvc.com is 127.0.0.3");
  }
}
