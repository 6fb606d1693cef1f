package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ax} CLI against a real daemon process, as a user runs it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliIT {
  @TempDir static Path tmp;
  private AxProcess.Daemon daemon;

  @BeforeAll
  void startDaemon() {
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start();
  }

  @AfterAll
  void stopDaemon() {
    daemon.close();
  }

  @Test
  void createVService_referenceExample_printsReferenceLineAndIsListed() {
    AxProcess.Result created = daemon.ax("create", "vservice", "--ip", "198.18.1.1", "--backends", "10.0.2.15", "--ports", "8000:10000", "myvsvc");

    assertThat(created.exit()).as(created.err()).isZero();
    assertThat(created.out()).isEqualTo("Service 'myvsvc' created successfully with IP '198.18.1.1'.\n");
    AxProcess.Result listed = daemon.ax("get", "vservices");
    assertThat(listed.exit()).isZero();
    String[] lines = listed.out().split("\n");
    assertThat(lines[0].split("\\s+")).containsExactly("VSNAME", "VSTYPE", "VSIP", "VSPORTS", "VSBACKENDIPS");
    assertThat(lines[1]).matches("-+");
    assertThat(listed.out()).containsPattern("myvsvc\\s+Random\\s+198\\.18\\.1\\.1\\s+\\[\\{8000 10000\\}\\]\\s+\\[10\\.0\\.2\\.15\\]");
  }

  @Test
  void createVService_roundRobinAndExternal_shownWideAndJson() throws Exception {
    AxProcess.Result created = daemon.ax("create", "vservice", "web", "--ip", "198.18.5.5", "--lbtype", "RoundRobin", "--backends", "10.0.0.1,10.0.0.2:81",
        "--ports", "80:8080,443:8443", "--external", "--source-ip", "10.0.0.9");
    assertThat(created.exit()).as(created.err()).isZero();

    assertThat(daemon.ax("get", "vservices", "-o", "wide").out())
        .containsPattern("web\\s+RoundRobin\\s+198\\.18\\.5\\.5\\s+\\[\\{80 8080\\} \\{443 8443\\}\\]\\s+\\[10\\.0\\.0\\.1 10\\.0\\.0\\.2:81\\]\\s+true\\s+10\\.0\\.0\\.9");
    JsonNode json = new ObjectMapper().readTree(daemon.ax("get", "vs", "-o", "json").out());
    JsonNode web = null;
    for (JsonNode v : json.get("vservices")) {
      if (v.get("name").asText().equals("web")) {
        web = v;
      }
    }
    assertThat(web).isNotNull();
    assertThat(web.get("lb_type").asText()).isEqualTo("ROUND_ROBIN");
    assertThat(web.get("backends").get(1).get("port").asInt()).isEqualTo(81);
    assertThat(daemon.ax("get", "vservices", "-o", "yaml").out()).contains("name: \"web\"").contains("lb_type: \"ROUND_ROBIN\"");
  }

  @Test
  void deleteVService_aliasDel_removesIt() {
    daemon.ax("create", "vservice", "gone", "--ip", "198.18.6.6", "--ports", "80");

    AxProcess.Result deleted = daemon.ax("del", "vservice", "gone");

    assertThat(deleted.exit()).as(deleted.err()).isZero();
    assertThat(deleted.out()).isEqualTo("Service 'gone' deleted successfully.\n");
    assertThat(daemon.ax("get", "vservices").out()).doesNotContain("gone");
    AxProcess.Result again = daemon.ax("delete", "vservice", "gone");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err().strip()).isEqualTo("ax delete vservice: vservice 'gone' not found");
  }

  @Test
  void createVService_invalidFlags_oneLineNamingTheFlag() {
    AxProcess.Result badIp = daemon.ax("create", "vservice", "x", "--ip", "1.1.1", "--ports", "80");
    AxProcess.Result badPorts = daemon.ax("create", "vservice", "x", "--ip", "198.18.1.1", "--ports", "80:99999");
    AxProcess.Result badType = daemon.ax("create", "vservice", "x", "--ip", "198.18.1.1", "--ports", "80", "--lbtype", "Fastest");

    for (AxProcess.Result r : new AxProcess.Result[] {badIp, badPorts, badType}) {
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.err().strip().lines()).hasSize(1);
    }
    assertThat(badIp.err()).contains("--ip").contains("'1.1.1'");
    assertThat(badPorts.err()).contains("--ports").contains("99999");
    assertThat(badType.err()).contains("--lbtype").contains("Fastest");
  }

  @Test
  void createVService_vipPortTaken_oneLineNamingTheOwner() {
    daemon.ax("create", "vservice", "first", "--ip", "198.18.7.7", "--ports", "80");

    AxProcess.Result r = daemon.ax("create", "vservice", "second", "--ip", "198.18.7.7", "--ports", "80");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("ax create vservice: vservice 'first' already serves 198.18.7.7:80");
  }

  @Test
  void get_everyResource_answers() {
    for (String resource : new String[] {"apps", "servers", "sockets", "proxies", "vservices", "nodes"}) {
      AxProcess.Result r = daemon.ax("get", resource);
      assertThat(r.exit()).as(resource + ": " + r.err()).isZero();
    }
    AxProcess.Result nodes = daemon.ax("get", "nodes");
    assertThat(nodes.out().lines().findFirst().orElseThrow().split("\\s+")).containsExactly("NAME", "CLUSTER", "IP", "EXTERNALIP", "ROLE", "APPCOUNT", "STATUS");
    assertThat(nodes.out()).containsPattern("it-node\\s+appswitch\\s+\\S+\\s+\\[compute\\]\\s+0");
    AxProcess.Result apps = daemon.ax("get", "apps");
    assertThat(apps.out()).isEmpty();
    assertThat(apps.err().strip()).isEqualTo("No apps found.");
  }

  @Test
  void get_noDaemonThere_saysWhereItLooked() {
    Path nowhere = tmp.resolve("nowhere/admin.sock");

    AxProcess.Result r = AxProcess.cli("get", "vservices", "--admin", nowhere.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains(nowhere.toString()).contains("ax daemon");
  }

  @Test
  void completion_bash_printsScript() {
    AxProcess.Result r = AxProcess.cli("completion");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("complete -F").contains("vservice");
  }

  @Test
  void getWatch_jsonLines_listsThenStreamsChanges() throws Exception {
    daemon.ax("create", "vservice", "watched-before", "--ip", "198.18.7.1", "--ports", "80");
    Process watch = new ProcessBuilder(AxProcess.java("get", "vservices", "--watch", "-o", "json", "--admin", daemon.adminSocket().toString())).start();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
      StringBuilder replay = new StringBuilder();
      for (String line = nextLine(lines); !line.equals("{\"type\":\"SYNCED\"}"); line = nextLine(lines)) {
        replay.append(line).append('\n');
      }
      assertThat(replay.toString()).contains("\"type\":\"ADDED\"").contains("watched-before");

      daemon.ax("delete", "vservice", "watched-before");
      JsonNode deleted = new ObjectMapper().readTree(nextLine(lines));
      assertThat(deleted.get("type").asText()).isEqualTo("DELETED");
      assertThat(deleted.get("vservice").get("name").asText()).isEqualTo("watched-before");
    } finally {
      watch.destroy();
      watch.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String nextLine(BufferedReader lines) throws Exception {
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        return lines.readLine();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).get(30, TimeUnit.SECONDS);
    assertThat(line).as("the watch ended early").isNotNull();
    return line;
  }
}
