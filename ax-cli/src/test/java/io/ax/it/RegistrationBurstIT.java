package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ax.admin.v1.LbType;
import io.ax.admin.v1.VService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many {@code ax run} launchers at once against a daemon whose state file is megabytes large:
 * every one must register within its launcher's reply timeout (10 s). Each registration changes
 * the durable state; written one by one, 500 rewrites of a 10,000-vservice state (2 MB) queued the last
 * launchers past their timeout.
 */
class RegistrationBurstIT {
  private static final int APPS = 500;
  private static final int VSERVICES = 10_000;
  @TempDir Path tmp;

  /** VSERVICES vservices of 10 backends each over the burst's app IPs, as an agent would push. */
  private static List<VService> vservices() {
    List<VService> set = new ArrayList<>(VSERVICES);
    for (int i = 0; i < VSERVICES; i++) {
      VService.Builder v = ItAdminClient.vs("svc-" + i, "10.96." + (i / 250) + "." + (i % 250 + 1), 80, LbType.ROUND_ROBIN)
          .addHostnames("svc-" + i + ".bench.svc.cluster.local");
      for (int b = 0; b < 10; b++) {
        v.addBackends(io.ax.admin.v1.Backend.newBuilder().setIp(appIp((i * 10 + b) % APPS)).setPort(8080));
      }
      set.add(v.build());
    }
    return set;
  }

  private static String appIp(int i) {
    return "10.1." + (i / 250) + "." + (i % 250 + 1);
  }

  @Test
  void run_fiveHundredAppsAtOnceOverTenThousandVServices_allRegister() throws Exception {
    Path run = tmp.resolve("run");
    List<Process> apps = new ArrayList<>();
    try (AxProcess.Daemon d = new AxProcess.Daemon(run).start("--dns=false"); ItAdminClient admin = new ItAdminClient(d)) {
      assertThat(admin.apply("burst", vservices()).getCreated()).isEqualTo(VSERVICES);
      assertThat(Files.size(run.resolve("state.pb"))).isGreaterThan(500_000);
      AxRun ax = new AxRun(d);

      for (int i = 0; i < APPS; i++) {
        apps.add(ax.start(tmp.resolve("app-" + i + ".log"), "--ip", appIp(i), "--name", "burst-" + i, "--labels", "app=burst,zone=default", "--", "sleep", "120"));
      }

      // Every launcher either registers or gives up (it exits with one line) within its 10 s.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> registered(ax).size() + apps.stream().filter(p -> !p.isAlive()).count() >= APPS);
      List<String> gaveUp = new ArrayList<>();
      for (int i = 0; i < APPS; i++) {
        if (!apps.get(i).isAlive()) {
          gaveUp.add("burst-" + i + ": " + Files.readString(tmp.resolve("app-" + i + ".log")).strip());
        }
      }
      assertThat(gaveUp).as("launchers that gave up").isEmpty();
      assertThat(registered(ax)).hasSize(APPS);
    } finally {
      apps.forEach(Process::destroy);
      for (Process p : apps) {
        p.waitFor();
      }
    }
  }

  /** The names of the burst's apps the daemon lists. */
  private static Set<String> registered(AxRun ax) {
    var list = ax.get("apps").get("apps");
    if (list == null) {
      return Set.of();
    }
    return StreamSupport.stream(list.spliterator(), false)
        .map(a -> a.path("name").asText())
        .filter(n -> n.startsWith("burst-"))
        .collect(Collectors.toSet());
  }
}
