package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sendmsg by fd number (src/test/c/fdrange.c under ax run): on a connected TCP socket it runs
 * natively, neither trapped nor waiting for a daemon that is down (issue 17, point 9); datagram
 * sockets stay in the app's fd range, where their sendmsg is still the daemon's, through dup,
 * dup2, dup3 and fcntl(F_DUPFD).
 */
class FdRangeIT {
  private static final Pattern SENDMSG = Pattern.compile("^ax_trapped_syscalls_total\\{[^}]*syscall=\"sendmsg\"[^}]*\\} (\\S+)$", Pattern.MULTILINE);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path tmp;
  private Path program;

  @BeforeEach
  void compile() {
    program = tmp.resolve("fdrange");
    Path source = Path.of(System.getProperty("ax.test.c", "src/test/c"), "fdrange.c");
    AxProcess.Result cc = AxRun.run(new ProcessBuilder("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", program.toString(), source.toString()), Duration.ofSeconds(60));
    assertThat(cc.exit()).as(cc.err()).isZero();
  }

  @Test
  void sendmsgOnConnectedTcp_isNotTrapped_udpSendmsgToVipStillIs() throws Exception {
    try (AxProcess.Daemon daemon = new AxProcess.Daemon(tmp.resolve("run")).start()) {
      AxRun ax = new AxRun(daemon);
      Path go = Files.createFile(tmp.resolve("go"));
      double before = trappedSendmsg(daemon);
      AxProcess.Result tcp = ax.run(Duration.ofSeconds(120), "--ip", "198.18.7.1", "--", program.toString(), "tcp", "198.18.7.1", go.toString(), "5000");
      assertThat(tcp.out()).as(tcp.err()).contains("ok   sendmsg on the connected TCP socket: 5000 of 5000").doesNotContain("FAIL");
      assertThat(tcp.exit()).isZero();
      double afterTcp = trappedSendmsg(daemon);
      assertThat(afterTcp - before).as("sendmsg calls the daemon saw from 5000 on a TCP socket").isZero();

      AxProcess.Result checks = ax.run(Duration.ofSeconds(120), "--ip", "198.18.7.2", "--", program.toString(), "checks", "198.18.7.2");
      assertThat(checks.out()).as(checks.err()).contains("ok   sendmsg to the vIP reaches the socket bound there").doesNotContain("FAIL");
      assertThat(checks.exit()).isZero();
      // Two datagrams by sendmsg to the vIP (from the socket and from its dup): both trapped.
      assertThat(trappedSendmsg(daemon) - afterTcp).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void sendmsgOnConnectedTcp_keepsWorkingWhileTheDaemonIsDown() throws Exception {
    try (AxProcess.Daemon daemon = new AxProcess.Daemon(tmp.resolve("run")).start()) {
      AxRun ax = new AxRun(daemon);
      Path go = tmp.resolve("go");
      Path log = tmp.resolve("tcp.log");
      Process app = ax.start(log, "--ip", "198.18.7.3", "--", program.toString(), "tcp", "198.18.7.3", go.toString(), "2000");
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("connected"));
        assertThat(Files.readString(log)).doesNotContain("FAIL");
        daemon.kill();
        Files.createFile(go);
        // Before: the first sendmsg waited for a daemon that never came back.
        assertThat(app.waitFor(30, TimeUnit.SECONDS)).as("the app finished its sendmsg calls with no daemon: %s", Files.readString(log)).isTrue();
        assertThat(Files.readString(log)).contains("ok   sendmsg on the connected TCP socket: 2000 of 2000").doesNotContain("FAIL");
      } finally {
        AxRun.stop(app);
      }
    }
  }

  private static double trappedSendmsg(AxProcess.Daemon daemon) throws Exception {
    String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    double sum = 0;
    Matcher m = SENDMSG.matcher(text);
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return sum;
  }
}
