package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, point 8: programs that leave the process ax run started (a shell's background job,
 * `redis-server --daemonize yes`). The app stays registered, and its calls served, until its
 * last process exits; `kill -TERM` of ax run reaches every process of the app.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaemonizingAppIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  @TempDir static Path tmp;
  private AxProcess.Daemon daemon;
  private AxRun ax;

  @BeforeAll
  void startDaemon() {
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start("--dns=false");
    ax = new AxRun(daemon);
  }

  @AfterAll
  void stopDaemon() {
    daemon.close();
  }

  @Test
  void aServerLeftByAShellThatExited_staysInTheTable_andTermOfAxRunEndsIt() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("www"));
    Files.writeString(docs.resolve("index.html"), "still here");
    // sh starts the server in the background and exits at once: the server is an orphan.
    Process app = ax.start(tmp.resolve("sh.log"), "--ip", "198.18.0.77", "--", "sh", "-c",
        "python3 -m http.server 8000 --bind 0.0.0.0 --directory " + docs + " >/dev/null 2>&1 & exit 0");
    ax.awaitServers("198.18.0.77:8000", 1);
    Thread.sleep(1000); // well after sh exited

    AxProcess.Result get = ax.run(TIMEOUT, "--", "curl", "-sS", "--max-time", "10", "http://198.18.0.77:8000/");
    assertThat(get.out()).as(get.err()).isEqualTo("still here");
    assertThat(app.isAlive()).as("ax run waits for the app's last process").isTrue();
    ProcessHandle server = app.descendants().filter(p -> p.info().commandLine().orElse("").contains("http.server")).findFirst().orElseThrow();

    app.destroy(); // SIGTERM to ax run
    assertThat(app.waitFor(15, TimeUnit.SECONDS)).isTrue();
    assertThat(server.onExit().get(15, TimeUnit.SECONDS).isAlive()).isFalse();
    assertThat(app.exitValue()).as("the status of the app's first process, sh").isZero();
    await().atMost(TIMEOUT).until(() -> ax.serversAt("198.18.0.77:8000") == 0);
  }

  @Test
  void redisDaemonized_servesUnderItsIp_untilStopped() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("redis"));
    Process app = ax.start(tmp.resolve("redis.log"), "--ip", "198.18.0.78", "--", "redis-server", "--port", "6390", "--daemonize", "yes", "--protected-mode", "no",
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--pidfile", dir.resolve("redis.pid").toString(), "--logfile", dir.resolve("redis.log").toString());
    ax.awaitServers("198.18.0.78:6390", 1);
    Thread.sleep(1000);

    AxProcess.Result ping = ax.run(TIMEOUT, "--", "redis-cli", "-h", "198.18.0.78", "-p", "6390", "ping");
    assertThat(ping.out().strip()).as(ping.err()).isEqualTo("PONG");
    assertThat(app.isAlive()).isTrue();

    app.destroy();
    assertThat(app.waitFor(15, TimeUnit.SECONDS)).as("redis got the SIGTERM and exited").isTrue();
    await().atMost(TIMEOUT).until(() -> ax.serversAt("198.18.0.78:6390") == 0);
  }
}
