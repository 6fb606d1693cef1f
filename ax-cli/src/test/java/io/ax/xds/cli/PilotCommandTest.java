package io.ax.xds.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PilotCommandTest {
  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    return new CommandLine(new PilotCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
  }

  @Test
  void call_missingConfigDirectory_oneLineAndExit1() {
    int code = run("--config", dir.resolve("absent").toString(), "--port", "0");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("ax pilot: --config: " + dir.resolve("absent")
        + " is not a directory (expected a directory of Istio/Kubernetes YAML)" + System.lineSeparator());
  }

  @Test
  void call_badAddress_oneLineAndExit1() {
    int code = run("--config", dir.toString(), "--address", "localhost:1");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).startsWith("ax pilot: --address: 'localhost:1' is not an IP address").doesNotContain("\tat ");
  }

  @Test
  void call_portOutOfRange_oneLineAndExit1() {
    assertThat(run("--config", dir.toString(), "--port", "70000")).isEqualTo(1);
    assertThat(err.toString()).startsWith("ax pilot: --port: 70000 is not a port");
  }

  @Test
  void call_badMetricsFlags_oneLineNamingTheFlag() {
    assertThat(run("--config", dir.toString(), "--port", "0", "--metrics-port", "70000")).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("ax pilot: --metrics-port: port 70000 is out of range (expected 0-65535)" + System.lineSeparator());

    err.getBuffer().setLength(0);
    assertThat(run("--config", dir.toString(), "--port", "0", "--metrics-port", "0", "--metrics-address", "10.0.0")).isEqualTo(1);
    assertThat(err.toString()).startsWith("ax pilot: --metrics-address").doesNotContain("\tat ").hasLineCount(1);
  }

  @Test
  void call_metricsPortTaken_oneLineAndExit1() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertThat(run("--config", dir.toString(), "--port", "0", "--metrics-port", Integer.toString(taken.getLocalPort()))).isEqualTo(1);
      assertThat(err.toString()).startsWith("ax pilot: --metrics-port: cannot serve metrics on 127.0.0.1:" + taken.getLocalPort()).hasLineCount(1);
    }
  }

  @Test
  void call_noConfigFlag_usageError() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--config=DIR'");
  }
}
