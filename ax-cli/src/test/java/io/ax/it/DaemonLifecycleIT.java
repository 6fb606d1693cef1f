package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real daemon process across stops, kills, restarts and --clean. */
class DaemonLifecycleIT {
  @TempDir Path tmp;

  private static void create(AxProcess.Daemon d, String name, String ip) {
    AxProcess.Result r = d.ax("create", "vservice", "--ip", ip, "--backends", "10.0.2.15", "--ports", "8000:10000", name);
    assertThat(r.exit()).as(r.err()).isZero();
  }

  @Test
  void restart_afterStop_keepsVServices() {
    Path run = tmp.resolve("run");
    try (AxProcess.Daemon d = new AxProcess.Daemon(run).start()) {
      create(d, "myvsvc", "198.18.1.1");
      assertThat(d.stop()).isIn(0, 143);
    }
    assertThat(run.resolve("admin.sock")).doesNotExist();
    try (AxProcess.Daemon d = new AxProcess.Daemon(run).start()) {
      assertThat(d.ax("get", "vservices").out()).containsPattern("myvsvc\\s+Random\\s+198\\.18\\.1\\.1");
    }
  }

  @Test
  void restart_afterSigkill_keepsEveryAcknowledgedChange() {
    Path run = tmp.resolve("run");
    try (AxProcess.Daemon d = new AxProcess.Daemon(run).start()) {
      create(d, "a", "198.18.1.1");
      create(d, "b", "198.18.2.2");
      d.ax("delete", "vservice", "a");
      d.kill();
    }
    try (AxProcess.Daemon d = new AxProcess.Daemon(run).start()) {
      String listed = d.ax("get", "vservices").out();
      assertThat(listed).contains("b").doesNotContain("\na ");
      assertThat(listed.lines().filter(l -> l.startsWith("a ")).count()).isZero();
    }
  }

  @Test
  void restart_withClean_dropsSavedState() {
    Path run = tmp.resolve("run");
    try (AxProcess.Daemon d = new AxProcess.Daemon(run).start()) {
      create(d, "myvsvc", "198.18.1.1");
      d.stop();
    }
    try (AxProcess.Daemon d = new AxProcess.Daemon(run).start("--clean")) {
      AxProcess.Result r = d.ax("get", "vservices");
      assertThat(r.out()).isEmpty();
      assertThat(r.err().strip()).isEqualTo("No vservices found.");
    }
  }

  @Test
  void start_secondDaemonOnSameRunDir_refusedWithOneLine() {
    Path run = tmp.resolve("run");
    try (AxProcess.Daemon first = new AxProcess.Daemon(run).start()) {
      AxProcess.Result second = AxProcess.cli("daemon", "--run-dir", run.toString(), "--rest-port", Integer.toString(AxProcess.freePort()));

      assertThat(second.exit()).isEqualTo(1);
      assertThat(second.err().strip().lines().filter(l -> l.startsWith("ax daemon: "))).hasSize(1);
      assertThat(second.err()).contains("another ax daemon is running");
      assertThat(first.ax("get", "nodes").exit()).isZero();
    }
  }

  @Test
  void start_corruptStateFile_refusedAndFileKept() throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run);
    Files.writeString(run.resolve("state.json"), "{\"format_version\": 1, \"vservices\": [{\"name\": \"x\", \"ip\": \"999.1.1.1\"}]}");

    AxProcess.Result r = AxProcess.cli("daemon", "--run-dir", run.toString(), "--rest-port", Integer.toString(AxProcess.freePort()));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("state.json").contains("--clean").doesNotContain("\tat ");
    assertThat(run.resolve("state.json")).content().contains("999.1.1.1");
  }

  @Test
  void start_restPortTaken_oneLineNamingThePort() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      AxProcess.Result r = AxProcess.cli("daemon", "--run-dir", tmp.resolve("run").toString(), "--rest-port", Integer.toString(taken.getLocalPort()));

      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).contains("REST").contains(Integer.toString(taken.getLocalPort())).doesNotContain("\tat ");
    }
  }

  @Test
  void start_federationGatewayOnAnAddressNotOfThisHost_refusedWithOneLine() {
    AxProcess.Result r = AxProcess.cli("daemon", "--run-dir", tmp.resolve("never").toString(), "--cluster", "c0", "--federation-gateway-ip", "192.0.2.77");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("ax daemon: --federation-gateway-ip: 192.0.2.77 is not an address of this host");
    assertThat(tmp.resolve("never")).doesNotExist();
  }

  @Test
  void start_badPorts_refusedNamingTheRange() {
    AxProcess.Result r = AxProcess.cli("daemon", "--run-dir", tmp.resolve("run").toString(), "--ports", "4000-5000,4500-6000");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("ax daemon: --ports: ranges 4000-5000 and 4500-6000 overlap");
  }

  @Test
  void adminSocket_withoutGroup_rootOnly_withGroup_groupToo() throws Exception {
    try (AxProcess.Daemon d = new AxProcess.Daemon(tmp.resolve("a")).start()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.adminSocket()))).isEqualTo("rw-------");
    }
    try (AxProcess.Daemon d = new AxProcess.Daemon(tmp.resolve("b")).start("--admin-group", "daemon")) {
      PosixFileAttributes attrs = Files.readAttributes(d.adminSocket(), PosixFileAttributes.class);
      assertThat(PosixFilePermissions.toString(attrs.permissions())).isEqualTo("rw-rw----");
      assertThat(attrs.group().getName()).isEqualTo("daemon");
    }
  }

  @Test
  void cpuAndMemProfile_writtenAtShutdownAsJfr() throws Exception {
    Path cpu = tmp.resolve("cpu.jfr");
    Path mem = tmp.resolve("mem.jfr");
    try (AxProcess.Daemon d = new AxProcess.Daemon(tmp.resolve("run")).start("--cpu-profile", cpu.toString(), "--mem-profile", mem.toString())) {
      create(d, "profiled", "198.18.1.1");
      d.stop();
    }
    for (Path f : new Path[] {cpu, mem}) {
      assertThat(f).exists();
      byte[] magic = java.util.Arrays.copyOf(Files.readAllBytes(f), 4);
      assertThat(new String(magic, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("FLR\0");
    }
  }
}
