package io.ax.it;

import static io.ax.it.ItAdminClient.subset;
import static io.ax.it.ItAdminClient.vs;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.admin.v1.ApplyVServicesResponse;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.RejectedVService;
import io.ax.admin.v1.VService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VServices.Apply on a real daemon over its admin socket, what {@code ax get vservices} shows of
 * it, its DNS hostnames through dig, and a restart that keeps it.
 */
class ApplyIT {
  private static final String AGENT = "xds-agent";
  @TempDir Path tmp;

  static List<VService> bookinfo(LbType ratingsType, boolean withDetails) {
    List<VService> set = new ArrayList<>();
    set.add(vs("reviews.default-9080", "10.201.0.10", 9080, LbType.LEAST_CONN)
        .addSubsets(subset("v1", 80, LbType.LEAST_CONN, "10.1.0.1", "10.1.0.2"))
        .addSubsets(subset("v2", 20, LbType.LEAST_CONN, "10.1.0.3"))
        .addHostnames("reviews.default.svc.cluster.local")
        .build());
    set.add(vs("ratings.default-9080", "10.201.0.11", 9080, ratingsType, "10.1.1.1", "10.1.1.2").addHostnames("ratings.default.svc.cluster.local").build());
    if (withDetails) {
      set.add(vs("details.default-9080", "10.201.0.12", 9080, LbType.ROUND_ROBIN, "10.1.2.1").build());
    }
    return set;
  }

  private String dig(String node, String name) {
    AxProcess.Result r = AxRun.run(new ProcessBuilder("dig", "@" + node, "+time=2", "+tries=1", "+short", name, "A"), Duration.ofSeconds(30));
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out().strip();
  }

  @Test
  void apply_reconcilesOverTheAdminSocket_cliDnsAndRestartSeeIt() throws Exception {
    Path run = tmp.resolve("run");
    try (AxProcess.Daemon d = new AxProcess.Daemon(run).start(); ItAdminClient admin = new ItAdminClient(d)) {
      assertThat(d.ax("create", "vservice", "user-web", "--ip", "10.201.0.1", "--ports", "80", "--backends", "10.0.0.9").exit()).isZero();
      List<VService> first = new ArrayList<>(bookinfo(LbType.RANDOM, true));
      first.add(vs("bad", "10.201.0.300", 80, LbType.RANDOM).build());
      first.add(vs("clash", "10.201.0.1", 80, LbType.RANDOM).build());

      ApplyVServicesResponse created = admin.apply(AGENT, first);

      assertThat(created.getCreated()).isEqualTo(3);
      assertThat(created.getRejectedList()).extracting(RejectedVService::getName).containsExactlyInAnyOrder("bad", "clash");
      AxProcess.Result table = d.ax("get", "vservices");
      assertThat(table.exit()).as(table.err()).isZero();
      assertThat(table.out()).contains("user-web").contains("LeastConn").contains("v1=80%[10.1.0.1 10.1.0.2] v2=20%[10.1.0.3]");
      AxProcess.Result wide = d.ax("get", "vservices", "-o", "wide");
      assertThat(wide.out()).contains("xds-agent").contains("[reviews.default.svc.cluster.local]");

      // The same set again changes nothing; a changed set updates and deletes.
      ApplyVServicesResponse again = admin.apply(AGENT, bookinfo(LbType.RANDOM, true));
      assertThat(List.of(again.getCreated(), again.getUpdated(), again.getDeleted(), again.getUnchanged())).containsExactly(0, 0, 0, 3);
      ApplyVServicesResponse changed = admin.apply(AGENT, bookinfo(LbType.CONSISTENT_HASH, false));
      assertThat(List.of(changed.getCreated(), changed.getUpdated(), changed.getDeleted(), changed.getUnchanged())).containsExactly(0, 1, 1, 1);
      assertThat(d.ax("get", "vservices").out()).contains("ConsistentHash").doesNotContain("details.default-9080");

      // Another owner's apply leaves ours and the user's alone; theirs cannot take our name.
      ApplyVServicesResponse other = admin.apply("other-agent", List.of(
          vs("theirs", "10.201.0.20", 80, LbType.RANDOM).build(), vs("ratings.default-9080", "10.201.0.21", 80, LbType.RANDOM).build()));
      assertThat(other.getCreated()).isEqualTo(1);
      assertThat(other.getRejected(0).getReason()).isEqualTo("name: 'ratings.default-9080' is held by owner 'xds-agent'");
      String listed = d.ax("get", "vservices").out();
      assertThat(listed).contains("user-web", "reviews.default-9080", "ratings.default-9080", "theirs");

      // The daemon's DNS answers the hostname, outside its domain.
      String node = new AxRun(d).nodeIp();
      assertThat(dig(node, "reviews.default.svc.cluster.local")).isEqualTo("10.201.0.10");
      assertThat(dig(node, "ratings.default-9080.appswitch.local")).isEqualTo("10.201.0.11");

      assertThat(d.stop()).isIn(0, 143);
      d.start();

      String restored = d.ax("get", "vservices", "-o", "wide").out();
      assertThat(restored).contains("user-web", "reviews.default-9080", "ratings.default-9080", "theirs", "xds-agent", "other-agent");
      assertThat(restored).contains("v1=80%[10.1.0.1 10.1.0.2] v2=20%[10.1.0.3]");
      assertThat(dig(node, "reviews.default.svc.cluster.local")).isEqualTo("10.201.0.10");
    }
  }

  /** The xDS agent's target scale: 10,000 vservices with 100,000 endpoints. */
  static List<VService> tenThousand(int generation) {
    List<VService> set = new ArrayList<>(10_000);
    for (int i = 0; i < 10_000; i++) {
      VService.Builder v = vs("service-" + i + ".namespace-" + (i % 100) + "-9080", "10.96." + (i / 250) + "." + (i % 250 + 1), 9080, LbType.ROUND_ROBIN)
          .addHostnames("service-" + i + ".namespace-" + (i % 100) + ".svc.cluster.local");
      for (int e = 0; e < 10; e++) {
        int n = i * 10 + e + (i % 10 == 0 ? generation : 0);
        v.addBackends(io.ax.admin.v1.Backend.newBuilder().setIp("10." + (128 + n / 65536) + "." + (n / 256 % 256) + "." + (n % 256)).setPort(9080));
      }
      set.add(v.build());
    }
    return set;
  }

  @Test
  void apply_tenThousandVServicesOnARunningDaemon_appliedAndTimed() throws Exception {
    try (AxProcess.Daemon d = new AxProcess.Daemon(tmp.resolve("run3")).start(); ItAdminClient admin = new ItAdminClient(d)) {
      List<String> timings = new ArrayList<>();
      long t0 = System.nanoTime();
      ApplyVServicesResponse created = admin.apply(AGENT, tenThousand(0));
      timings.add("create " + (System.nanoTime() - t0) / 1_000_000 + " ms");
      t0 = System.nanoTime();
      ApplyVServicesResponse unchanged = admin.apply(AGENT, tenThousand(0));
      timings.add("unchanged " + (System.nanoTime() - t0) / 1_000_000 + " ms");
      t0 = System.nanoTime();
      ApplyVServicesResponse updated = admin.apply(AGENT, tenThousand(1));
      timings.add("1,000 updated " + (System.nanoTime() - t0) / 1_000_000 + " ms");
      System.out.println("[apply-bench] 10,000 vservices / 100,000 endpoints on a running daemon: " + String.join(", ", timings)
          + "; state file " + java.nio.file.Files.size(tmp.resolve("run3").resolve("state.pb")) + " bytes");

      assertThat(created.getCreated()).isEqualTo(10_000);
      assertThat(unchanged.getUnchanged()).isEqualTo(10_000);
      assertThat(updated.getUpdated()).isEqualTo(1_000);
      assertThat(d.ax("get", "vservices").out().lines().filter(l -> l.startsWith("service-")).count()).isEqualTo(10_000);
    }
  }

  @Test
  void apply_restartedDaemonWithCleanState_healedByTheSameApply() throws Exception {
    Path run = tmp.resolve("run2");
    try (AxProcess.Daemon d = new AxProcess.Daemon(run).start()) {
      try (ItAdminClient admin = new ItAdminClient(d)) {
        assertThat(admin.apply(AGENT, bookinfo(LbType.RANDOM, true)).getCreated()).isEqualTo(3);
      }
      d.stop();
      d.start("--clean");
      try (ItAdminClient admin = new ItAdminClient(d)) {
        assertThat(d.ax("get", "vservices").err()).contains("No vservices found");

        ApplyVServicesResponse healed = admin.apply(AGENT, bookinfo(LbType.RANDOM, true));

        assertThat(healed.getCreated()).isEqualTo(3);
        assertThat(d.ax("get", "vservices").out()).contains("reviews.default-9080", "ratings.default-9080", "details.default-9080");
      }
    }
  }
}
