package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's DNS server with real clients: curl under ax run resolving an app's name through
 * the resolv.conf that --dns-override mounts, dig for each kind of answer, and forwarding to a
 * real upstream (dnsmasq) that the test starts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DnsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir static Path tmp;
  private Process upstream;
  private AxProcess.Daemon daemon;
  private AxRun ax;
  private final List<Process> apps = new ArrayList<>();
  private String node;

  @BeforeAll
  void start() throws Exception {
    int upstreamPort = AxProcess.freePort();
    upstream = new ProcessBuilder("dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--bind-interfaces",
        "--listen-address=127.0.0.1", "--port=" + upstreamPort, "--address=/outside.test/203.0.113.7", "--pid-file=" + tmp.resolve("dnsmasq.pid"))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("dnsmasq.log").toFile()).start();
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start("--dns-servers", "127.0.0.1:" + upstreamPort);
    ax = new AxRun(daemon);
    node = ax.nodeIp();
    Process web = ax.start(tmp.resolve("web.log"), "--name", "web", "--", RunIT.PYTHON, "-m", "http.server", "8000", "--directory", RunIT.site(tmp, "web").toString());
    apps.add(web);
    org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> ax.get("servers").toString().contains("\"port\":8000"));
  }

  @AfterAll
  void stop() {
    apps.forEach(AxRun::stop);
    daemon.close();
    upstream.destroy();
  }

  private String dig(String... args) {
    List<String> cmd = new ArrayList<>(List.of("dig", "@" + node, "+time=2", "+tries=1"));
    cmd.addAll(List.of(args));
    AxProcess.Result r = AxRun.run(new ProcessBuilder(cmd), TIMEOUT);
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out();
  }

  @Test
  void curlUnderAx_reachesAppByNameAndByFullName() {
    AxProcess.Result shortName = ax.run(TIMEOUT, "--", "curl", "-sI", "--max-time", "10", "web:8000");
    AxProcess.Result fullName = ax.run(TIMEOUT, "--", "curl", "-sI", "--max-time", "10", "web.appswitch.local:8000");

    assertThat(shortName.exit()).as(shortName.err()).isZero();
    assertThat(shortName.out()).startsWith("HTTP/1.0 200 OK");
    assertThat(fullName.exit()).as(fullName.err()).isZero();
    assertThat(fullName.out()).startsWith("HTTP/1.0 200 OK");
  }

  @Test
  void dig_aRecordOfANamedAppWithoutIp_isAMadeUpVipInTheSharedRange() {
    String a = dig("+short", "web.appswitch.local", "A").strip();

    assertThat(a).startsWith("100.");
    int second = Integer.parseInt(a.split("\\.")[1]);
    assertThat(second).isBetween(64, 127);
    assertThat(ax.get("apps").toString()).contains(a);
  }

  @Test
  void dig_aaaaOfAKnownName_noErrorAndNoAnswer() {
    String out = dig("web.appswitch.local", "AAAA");

    assertThat(out).contains("status: NOERROR").contains("ANSWER: 0");
  }

  @Test
  void dig_unknownNameInTheDomain_nxdomain() {
    assertThat(dig("nobody.appswitch.local", "A")).contains("status: NXDOMAIN");
  }

  @Test
  void dig_overTcp_answers() {
    assertThat(dig("+tcp", "+short", "web", "A").strip()).startsWith("100.");
  }

  @Test
  void dig_outsideName_forwardedToTheUpstream() {
    assertThat(dig("+short", "www.outside.test", "A").strip()).isEqualTo("203.0.113.7");
  }

  @Test
  void resolvConf_underAx_pointsAtTheDaemon_hostFileUntouched() throws Exception {
    AxProcess.Result inside = ax.run(TIMEOUT, "--", "cat", "/etc/resolv.conf");
    String host = java.nio.file.Files.readString(Path.of("/etc/resolv.conf"));

    assertThat(inside.out()).contains("nameserver " + node).contains("search appswitch.local");
    assertThat(host).doesNotContain("written by ax daemon");
  }
}
