package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon killed with SIGKILL and restarted under running apps: a client looping on connects
 * sees no failure and no hang (calls the dead daemon held come back through the supervisor's
 * SIGSTOP/SIGCONT), and an established connection keeps transferring, since the data path
 * never went through the daemon.
 */
class DaemonRestartRunIT {
  private static final int CONNECTS = 150;
  private static final long BIG = 24L * 1024 * 1024;

  @TempDir Path tmp;

  @Test
  void sigkillAndRestart_loopingClientNeverFails_establishedConnectionKeepsGoing() throws Exception {
    Path site = RunIT.site(tmp, "steady");
    try (RandomAccessFile f = new RandomAccessFile(site.resolve("big.bin").toFile(), "rw")) {
      f.setLength(BIG);
    }
    Path run = tmp.resolve("run");
    AxProcess.Daemon first = new AxProcess.Daemon(run).start();
    AxRun ax = new AxRun(first);
    Process server = ax.start(tmp.resolve("server.log"), "--ip", "198.18.5.5", "--", RunIT.PYTHON, "-m", "http.server", "8000", "--directory", site.toString());
    AxProcess.Daemon second = null;
    try {
      ax.awaitServers("198.18.5.5:8000", 1, server);
      Path downloadOut = tmp.resolve("download.out");
      // ~8 s at 3 MB/s: the restart happens in the middle of the transfer.
      Process download = ax.start(downloadOut, "--", "curl", "-s", "--limit-rate", "3M", "-o", "/dev/null", "-w", "%{size_download} %{http_code}\n", "198.18.5.5:8000/big.bin");
      Path loopOut = tmp.resolve("loop.out");
      Process loop = ax.start(loopOut, "--", "sh", "-c",
          "for i in $(seq 1 " + CONNECTS + "); do curl -s -o /dev/null -w '%{http_code}\\n' --max-time 30 198.18.5.5:8000/id.txt || echo FAIL; sleep 0.03; done");

      // The daemon dies while both are under way: some connects done, the transfer started.
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> Files.exists(loopOut) && Files.readAllLines(loopOut).size() >= 5);
      first.kill();
      second = new AxProcess.Daemon(run).start();

      assertThat(loop.waitFor(120, TimeUnit.SECONDS)).as("the connect loop finished").isTrue();
      assertThat(download.waitFor(120, TimeUnit.SECONDS)).as("the download finished").isTrue();
      List<String> results = Files.readAllLines(loopOut);
      assertThat(results).hasSize(CONNECTS).allMatch("200"::equals);
      assertThat(Files.readString(downloadOut).strip()).isEqualTo(BIG + " 200");
      assertThat(new AxRun(second).serversAt("198.18.5.5:8000")).isEqualTo(1);
      // The apps really moved to the new daemon: their supervisors registered again.
      assertThat(second.logText()).contains("registered by pid");
      assertThat(first.logText()).contains("registered by pid");
    } finally {
      AxRun.stop(server);
      first.close();
      if (second != null) {
        second.close();
      }
    }
  }
}
