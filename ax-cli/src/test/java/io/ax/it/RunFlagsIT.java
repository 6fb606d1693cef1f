package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code ax run}'s flags with real programs: --user, --interface, --new-netns, and usage errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunFlagsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir static Path tmp;
  private AxProcess.Daemon daemon;
  private AxRun ax;

  @BeforeAll
  void startDaemon() throws Exception {
    // An unprivileged user must reach bridge.sock: open the way to it.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start();
    Files.setPosixFilePermissions(daemon.runDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    ax = new AxRun(daemon);
  }

  @AfterAll
  void stopDaemon() {
    daemon.close();
  }

  @Test
  void user_nobody_runsAsNobody() {
    AxProcess.Result r = ax.run(TIMEOUT, "--user", "nobody", "--", "id", "-u");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip()).isEqualTo("65534");
  }

  @Test
  void defaultNetns_hasNoDevicesButLoopback() {
    AxProcess.Result r = ax.run(TIMEOUT, "--", "ip", "-o", "link");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines()).hasSize(1).allMatch(l -> l.contains(": lo:"));
  }

  @Test
  void interface_eth0_showsInIpAddrWithTheAppIp() {
    AxProcess.Result r = ax.run(TIMEOUT, "--ip", "198.18.4.4", "--interface", "eth0", "--", "ip", "addr");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("eth0").contains("inet 198.18.4.4/32");
  }

  @Test
  void newNetnsFalse_asUnprivilegedUser_reachesAServer() throws Exception {
    Path site = RunIT.site(tmp, "unprivileged");
    Process server = ax.start(tmp.resolve("unpriv-server.log"), "--ip", "198.18.4.5", "--", RunIT.PYTHON, "-m", "http.server", "8000", "--directory", site.toString());
    try {
      ax.awaitServers("198.18.4.5:8000", 1, server);
      List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
      cmd.addAll(ax.command(List.of("--new-netns=false", "--", "curl", "-s", "--max-time", "10", "198.18.4.5:8000/id.txt")));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().put("AX_RUN_DIR", daemon.runDir.toString());

      AxProcess.Result r = AxRun.run(pb, TIMEOUT);

      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).isEqualTo("unprivileged\n");
    } finally {
      AxRun.stop(server);
    }
  }

  @Test
  void newNetnsTrue_asUnprivilegedUser_oneLineError() {
    List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
    cmd.addAll(ax.command(List.of("--", "true")));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("AX_RUN_DIR", daemon.runDir.toString());

    AxProcess.Result r = AxRun.run(pb, TIMEOUT);

    assertThat(r.exit()).isNotZero();
    assertThat(r.err().strip().lines()).hasSize(1).allMatch(l -> l.startsWith("ax run: "));
  }

  @Test
  void badFlags_usageErrorsInOneLine() {
    AxProcess.Result badIp = ax.run(TIMEOUT, "--ip", "1.1.1", "--", "true");
    AxProcess.Result badExpose = ax.run(TIMEOUT, "--expose", "80:99999", "--", "true");
    AxProcess.Result noCommand = ax.run(TIMEOUT, "--ip", "198.18.1.1");

    for (AxProcess.Result r : List.of(badIp, badExpose, noCommand)) {
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err().strip().lines()).hasSize(1).allMatch(l -> l.startsWith("ax run: "));
    }
    assertThat(badIp.err()).contains("--ip").contains("1.1.1");
    assertThat(badExpose.err()).contains("--expose").contains("99999");
  }

  @Test
  void exitStatus_isTheApps() {
    assertThat(ax.run(TIMEOUT, "--", "sh", "-c", "exit 3").exit()).isEqualTo(3);
    assertThat(ax.run(TIMEOUT, "--", "/nonexistent/program").exit()).isEqualTo(127);
  }

  @Test
  void noDaemon_saysWhereItLooked() {
    ProcessBuilder pb = new ProcessBuilder(ax.command(List.of("--", "true")));
    pb.environment().put("AX_RUN_DIR", tmp.resolve("nowhere").toString());

    AxProcess.Result r = AxRun.run(pb, TIMEOUT);

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("ax run: cannot reach the ax daemon at " + tmp.resolve("nowhere/bridge.sock"));
  }
}
