package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, point 5: one local user's idle REST connections took every fd of the daemon, the
 * bridge's accept loop gave up on EMFILE, and no app could register until a restart. The daemons
 * here run with few fds (prlimit) so that the limits are reached with a few hundred sockets.
 */
class ResourceExhaustionIT {
  @TempDir Path tmp;

  @Test
  void restConnectionsBeyondItsCap_areClosed_soAppsStillRegister() throws Exception {
    try (AxProcess.Daemon daemon = new AxProcess.Daemon(tmp.resolve("run")).under("prlimit", "--nofile=600:600").start("--dns=false")) {
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 400; i++) {
          held.add(new Socket(InetAddress.getLoopbackAddress(), daemon.restPort));
        }
        // Those beyond the REST API's 256 are closed by the daemon at once.
        await().atMost(Duration.ofSeconds(20)).until(() -> closedByDaemon(held) >= 400 - 256);
        assertThat(closedByDaemon(held)).isLessThanOrEqualTo(400 - 256 + 5); // the first 256 stay (a few may still be in the accept queue)

        AxProcess.Result app = run(daemon, "true");
        assertThat(app.exit()).as(app.out() + app.err()).isZero();
      } finally {
        held.forEach(ResourceExhaustionIT::closeQuietly);
      }
    }
  }

  @Test
  void theBridgesAcceptLoop_outOfFds_backsOffAndRecovers() throws Exception {
    try (AxProcess.Daemon daemon = new AxProcess.Daemon(tmp.resolve("run")).under("prlimit", "--nofile=200:200").start("--dns=false")) {
      List<Socket> held = new ArrayList<>();
      Process waiting;
      try {
        for (int i = 0; i < 250; i++) {
          held.add(new Socket(InetAddress.getLoopbackAddress(), daemon.restPort));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> daemon.logText().contains("Too many open files"));
        // A launcher now reaches a bridge that cannot accept it.
        waiting = new ProcessBuilder(AxRun.LAUNCHER.toString(), "--run-dir", daemon.runDir.toString(), "--", "true")
            .redirectErrorStream(true).redirectOutput(tmp.resolve("waiting.log").toFile()).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> daemon.logText().contains("[bridge] accept failed"));
      } finally {
        held.forEach(ResourceExhaustionIT::closeQuietly);
      }
      // The one that waited may have met a full table of fds on its way in; any app after the
      // exhaustion registers, which an accept loop that gave up never lets happen. First the
      // daemon closes its side of the released connections.
      assertThat(waiting.waitFor(30, TimeUnit.SECONDS)).isTrue();
      Path fds = Path.of("/proc", Long.toString(daemon.pid()), "fd");
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        try (var list = Files.list(fds)) {
          return list.count() < 150;
        }
      });
      AxProcess.Result after = run(daemon, "true");
      String log = daemon.logText();
      assertThat(after.exit()).as(after.out() + after.err() + "\n" + log.substring(Math.max(0, log.length() - 4000))).isZero();
      assertThat(log).contains("apps wait to register until it succeeds").doesNotContain("no more apps can register");
      assertThat(daemon.isAlive()).isTrue();
    }
  }

  private static AxProcess.Result run(AxProcess.Daemon daemon, String... cmd) {
    List<String> full = new ArrayList<>(List.of(AxRun.LAUNCHER.toString(), "--run-dir", daemon.runDir.toString(), "--"));
    full.addAll(List.of(cmd));
    return AxRun.run(new ProcessBuilder(full), Duration.ofSeconds(30));
  }

  /** How many of the sockets the daemon has closed (their read sees the end). */
  private static int closedByDaemon(List<Socket> sockets) throws IOException {
    int closed = 0;
    for (Socket s : sockets) {
      s.setSoTimeout(1);
      try {
        if (s.getInputStream().read() == -1) {
          closed++;
        }
      } catch (SocketTimeoutException e) {
        // open: nothing to read
      } catch (IOException e) {
        closed++; // reset
      }
    }
    return closed;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing is all we ask
    }
  }
}
