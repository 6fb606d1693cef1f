package io.ax.xds.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code ax agent}'s flag checks: one line naming the bad value, exit code 1, no stack trace. */
class AgentCommandTest {
  @TempDir Path dir;

  record Result(int code, String err) {}

  static Result run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new AgentCommand());
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));
    int code = cli.execute(args);
    return new Result(code, err.toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--pilot=localhost|ax agent: --pilot: 'localhost' is not HOST:PORT",
      "--pilot=localhost:99999|ax agent: --pilot: 'localhost:99999': port 99999 is out of range",
      "--node-ip=10.0.0.300|ax agent: --node-ip/--pod-name/--namespace/--label: node IP '10.0.0.300' is not valid",
      "--namespace=Bad_NS|namespace 'Bad_NS' is not valid",
      "--resync=soon|ax agent: --resync: 'soon' is not a duration",
      "--owner=Not Valid|ax agent: --owner: 'Not Valid' is not valid",
      "--pilot=istiod:15012|ax agent: --ca is required for TLS"})
  void call_badFlag_oneLineAndExitCode1(String arg, String message) {
    Result r = run(withDefaults(arg));

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(message).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  /** The flag under test, plus the identity flags so that the host's own name and IP play no part. */
  static String[] withDefaults(String arg) {
    if (arg.startsWith("--node-ip")) {
      return new String[] {arg, "--pod-name=pod1", "--dry-run"};
    }
    return new String[] {arg, "--node-ip=10.0.0.7", "--pod-name=pod1", "--dry-run"};
  }

  @Test
  void call_tlsWithMissingToken_oneLineNamingTheFile() {
    Path ca = dir.resolve("ca.pem");
    Path token = dir.resolve("missing-token");

    Result r = run("--pilot=istiod:15012", "--ca=" + ca, "--token=" + token, "--node-ip=10.0.0.7", "--pod-name=pod1", "--dry-run");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("ax agent: --token: cannot read the token file " + token + ": no such file");
  }

  @Test
  void call_tlsWithBadCa_oneLineNamingTheFile() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    Path token = Files.writeString(dir.resolve("token"), "abc");

    Result r = run("--tls", "--pilot=localhost:15010", "--ca=" + ca, "--token=" + token, "--node-ip=10.0.0.7", "--pod-name=pod1",
        "--dry-run");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("ax agent:").contains(ca.toString()).doesNotContain("\n");
  }

  @Test
  void parseDuration_units_andFloor() {
    assertThat(AgentCommand.parseDuration("30s")).hasSeconds(30);
    assertThat(AgentCommand.parseDuration("5m")).hasMinutes(5);
    assertThat(AgentCommand.parseDuration("1500ms")).hasMillis(1500);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AgentCommand.parseDuration("10ms")).hasMessageContaining("too short");
  }
}
