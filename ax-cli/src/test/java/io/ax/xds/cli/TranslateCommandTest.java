package io.ax.xds.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.ax.admin.v1.ListVServicesResponse;
import io.ax.admin.v1.VService;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ax agent translate}, run in-process through picocli as the ax CLI runs it. */
class TranslateCommandTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new AgentCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void translate_sidecarDumpAsTable_printsOneRowPerVserviceAndNotesOnStderr() {
    Run r = run("translate", "--config-dump", Fixtures.path(Fixtures.SIDECAR_1_10).toString());

    assertThat(r.exit()).isZero();
    assertThat(r.out().lines().findFirst()).contains("NAME                                     IP             LB          PORTS            BACKENDS");
    assertThat(r.out().lines()).hasSize(2 + 18)
        .contains("reviews.default-9080                     10.96.36.43    RoundRobin  [{9080 9080}]    []");
    assertThat(r.err().lines()).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("note: "));
    assertThat(r.err()).contains("note: PassthroughCluster is ORIGINAL_DST");
  }

  @Test
  void translate_jsonOutput_isTheAdminApiVservices() throws Exception {
    Run r = run("translate", "--config-dump", Fixtures.path(Fixtures.SIDECAR_1_10).toString(), "-o", "json");

    ListVServicesResponse.Builder parsed = ListVServicesResponse.newBuilder();
    JsonFormat.parser().merge(r.out(), parsed);
    assertThat(r.exit()).isZero();
    assertThat(parsed.getVservicesList()).hasSize(18).extracting(VService::getName).contains("reviews.default-9080");
    assertThat(r.out()).startsWith("{\n  \"vservices\": [").contains("\"lb_type\": \"ROUND_ROBIN\"");
  }

  @Test
  void translate_dumpWithoutVServices_saysSoOnStderrAndPrintsNoTable() {
    Path waypoint = Fixtures.path(Fixtures.WAYPOINT);

    Run r = run("translate", "--config-dump", waypoint.toString());

    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("No vservices found in " + waypoint + ".\n");
  }

  @Test
  void translate_legacyV2Dump_printsOneErrorLineAndExits1() {
    Path legacy = Fixtures.path(Fixtures.LEGACY_V2);

    Run r = run("translate", "--config-dump", legacy.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("ax agent: config dump " + legacy + " holds Envoy v2 resources (envoy.api.v2.Cluster); ax reads v3 (Istio 1.5 and later)\n");
  }

  @Test
  void translate_missingFile_printsOneErrorLineAndExits1() {
    Run r = run("translate", "--config-dump", dir.resolve("none.json").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("ax agent: config dump " + dir.resolve("none.json") + " does not exist\n");
  }

  @Test
  void translate_unknownOutputFormat_isAUsageError() {
    Run r = run("translate", "--config-dump", "x.json", "-o", "yaml");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("yaml").contains("table, json");
  }

  @Test
  void translate_withoutConfigDump_isAUsageError() {
    Run r = run("translate");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--config-dump");
  }
}
