package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's outbound traffic policy on a real daemon: curl under {@code ax run} against a server
 * outside the mesh (Python's http.server on the node's own IP, so nothing leaves this machine).
 * REGISTRY_ONLY refuses the connect at once and logs why; ALLOW_ANY connects it.
 */
class OutboundPolicyIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private AxProcess.Daemon daemon;
  private Process outside;

  @AfterEach
  void stop() {
    if (outside != null) {
      outside.destroy();
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void registryOnlyRefusesAnAddressOutsideTheMesh_allowAnyConnectsIt() throws Exception {
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start("--outbound-traffic-policy", "REGISTRY_ONLY", "--dns=false");
    AxRun ax = new AxRun(daemon);
    String nodeIp = ax.nodeIp();
    int port = AxProcess.freePort();
    Path site = Files.createDirectories(tmp.resolve("site"));
    Files.writeString(site.resolve("id.txt"), "outside\n");
    outside = new ProcessBuilder(RunIT.PYTHON, "-m", "http.server", Integer.toString(port), "--bind", nodeIp, "--directory", site.toString())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("outside.log").toFile()).start();
    String url = "http://" + nodeIp + ":" + port + "/id.txt";
    // The server is up: a plain curl (no ax) gets the page.
    await().atMost(TIMEOUT).until(() -> AxRun.run(new ProcessBuilder("curl", "-s", "--max-time", "5", url), TIMEOUT).out().equals("outside\n"));

    AxProcess.Result refused = ax.run(TIMEOUT, "--", "curl", "-s", "--max-time", "10", url);

    assertThat(refused.exit()).as("curl: connection refused at once, never a timeout").isEqualTo(7);
    assertThat(daemon.ax("get", "decisions").out())
        .containsPattern(nodeIp.replace(".", "\\.") + ":" + port + " \\(outside\\)\\s+refused_outside\\s+-\\s+tcp " + nodeIp.replace(".", "\\.") + ":" + port
            + " is outside the mesh and the outbound traffic policy is REGISTRY_ONLY");

    assertThat(daemon.stop()).isIn(0, 143);
    daemon.start("--outbound-traffic-policy", "ALLOW_ANY", "--dns=false");
    AxProcess.Result connected = ax.run(TIMEOUT, "--", "curl", "-s", "--max-time", "10", url);

    assertThat(connected.exit()).as(connected.err()).isZero();
    assertThat(connected.out()).isEqualTo("outside\n");
    assertThat(daemon.ax("get", "decisions").out()).containsPattern(nodeIp.replace(".", "\\.") + ":" + port + " \\(outside\\)\\s+connected\\s");
    outside.destroy();
    assertThat(outside.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }
}
