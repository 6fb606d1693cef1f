package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile program (src/test/c/hostile.c) under ax run: bad pointers, short lengths, odd
 * families, and a thread rewriting the sockaddr during connect. It must get errnos, never reach
 * the server its labels deny, and the daemon must keep serving everyone else.
 */
class HostileIT {
  @TempDir Path tmp;

  @Test
  void hostileProgram_getsErrnosNeverReachesDeniedServer_daemonKeepsServing() throws Exception {
    Path hostile = tmp.resolve("hostile");
    Path source = Path.of(System.getProperty("ax.test.c", "src/test/c"), "hostile.c");
    AxProcess.Result cc = AxRun.run(new ProcessBuilder("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread", "-o", hostile.toString(), source.toString()), Duration.ofSeconds(60));
    assertThat(cc.exit()).as(cc.err()).isZero();

    try (AxProcess.Daemon daemon = new AxProcess.Daemon(tmp.resolve("run")).start()) {
      AxRun ax = new AxRun(daemon);
      Process secret = ax.start(tmp.resolve("secret.log"), "--ip", "198.18.3.3", "--labels", "role=secret", "--",
          RunIT.PYTHON, "-m", "http.server", "8000", "--directory", RunIT.site(tmp, "secret").toString());
      Process allowed = ax.start(tmp.resolve("allowed.log"), "--ip", "198.18.3.4", "--labels", "role=hostile", "--",
          RunIT.PYTHON, "-m", "http.server", "8000", "--directory", RunIT.site(tmp, "allowed").toString());
      try {
        ax.awaitServers("198.18.3.3:8000", 1, secret);
        ax.awaitServers("198.18.3.4:8000", 1, allowed);
        JsonNode secretHost = null;
        for (JsonNode s : ax.servers()) {
          if (s.get("service_addr").get("ip").asText().equals("198.18.3.3")) {
            secretHost = s.get("host_addr");
          }
        }
        assertThat(secretHost).isNotNull();

        AxProcess.Result r = ax.run(Duration.ofSeconds(120), "--labels", "role=hostile", "--", hostile.toString(),
            "198.18.3.3", "8000", secretHost.get("ip").asText(), secretHost.get("port").asText(), "198.18.3.4", "8000");

        assertThat(r.out()).as(r.err()).contains("all checks passed").doesNotContain("FAIL");
        assertThat(r.out()).containsPattern("race: [1-9]\\d* reached the allowed server, \\d+ refused, \\d+ other, 0 reached the secret");
        assertThat(r.exit()).isZero();
        // The daemon serves others as before.
        AxProcess.Result friend = ax.run(Duration.ofSeconds(30), "--labels", "role=secret", "--", "curl", "-s", "--max-time", "10", "198.18.3.3:8000/id.txt");
        assertThat(friend.out()).isEqualTo("secret\n");
        assertThat(daemon.isAlive()).isTrue();
      } finally {
        for (Process p : List.of(secret, allowed)) {
          AxRun.stop(p);
        }
      }
    }
  }

  /** A server that answers "secret" to each connection; {@code bindFirst}: bind to port 0, else listen with no bind. */
  private static final String PORT_ZERO_SERVER = String.join("\n",
      "import socket, sys",
      "s = socket.socket()",
      "if sys.argv[1] == 'bind': s.bind(('', 0))",
      "s.listen(8)",
      "print(s.getsockname()[1], flush=True)",
      "while True:",
      "    c, _ = s.accept()",
      "    c.sendall(b'secret\\n')",
      "    c.close()");

  @Test
  void aListenerOnPortZero_orWithoutBind_isInTheServiceTable_andTheLabelAclHoldsAtItsRealAddress() throws Exception {
    try (AxProcess.Daemon daemon = new AxProcess.Daemon(tmp.resolve("run")).start()) {
      AxRun ax = new AxRun(daemon);
      List<Process> servers = new java.util.ArrayList<>();
      try {
        for (String mode : List.of("bind", "listen")) {
          Path log = tmp.resolve(mode + ".log");
          Process p = ax.start(log, "--ip", "198.18.3.5", "--labels", "role=secret", "--", RunIT.PYTHON, "-c", PORT_ZERO_SERVER, mode);
          servers.add(p);
          String port = awaitFirstLine(log, p);
          ax.awaitServers("198.18.3.5:" + port, 1, p);
          JsonNode host = null;
          for (JsonNode s : ax.servers()) {
            if (s.get("service_addr").get("port").asText().equals(port)) {
              host = s.get("host_addr");
            }
          }
          assertThat(host).as(mode + ": an entry for 198.18.3.5:" + port).isNotNull();
          assertThat(host.get("port").asText()).as(mode + ": the pool port is the one the app sees").isEqualTo(port);

          AxProcess.Result friend = ax.run(Duration.ofSeconds(30), "--labels", "role=secret", "--", "curl", "-s", "--max-time", "10", "telnet://198.18.3.5:" + port);
          assertThat(friend.out()).as(mode + ": a client sharing the label").isEqualTo("secret\n");
          for (String target : List.of("198.18.3.5:" + port, host.get("ip").asText() + ":" + port)) {
            AxProcess.Result stranger = ax.run(Duration.ofSeconds(30), "--labels", "role=hostile", "--", "curl", "-s", "--max-time", "5", "telnet://" + target);
            assertThat(stranger.out()).as(mode + ": a stranger at " + target).doesNotContain("secret");
            assertThat(stranger.exit()).as(mode + ": a stranger at " + target).isNotZero();
          }
        }
      } finally {
        servers.forEach(AxRun::stop);
      }
    }
  }

  private static String awaitFirstLine(Path log, Process p) throws Exception {
    for (int i = 0; i < 300; i++) {
      if (java.nio.file.Files.exists(log)) {
        List<String> lines = java.nio.file.Files.readAllLines(log);
        for (String line : lines) {
          if (line.strip().matches("\\d+")) {
            return line.strip();
          }
        }
      }
      assertThat(p.isAlive()).as("the server exited: " + (java.nio.file.Files.exists(log) ? java.nio.file.Files.readString(log) : "")).isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("the server printed no port in " + log);
  }
}
