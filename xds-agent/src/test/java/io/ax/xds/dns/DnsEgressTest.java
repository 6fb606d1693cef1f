package io.ax.xds.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.VService;
import io.ax.xds.ads.SerialScheduler;
import io.ax.xds.agent.Agent;
import io.ax.xds.dataplane.ApplyResult;
import io.ax.xds.dataplane.Dataplane;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Istio's egress-rule-google-apis end to end, minus the daemon: pilot-lite's STRICT_DNS cluster,
 * the agent resolving its host against a real DNS server (in this test, on loopback), and the
 * pushed vservice's backends following the answers as they change.
 */
class DnsEgressTest {
  /** Keeps the last push. */
  private static final class LastPush implements Dataplane {
    final AtomicReference<List<VService>> last = new AtomicReference<>(List.of());

    @Override
    public ApplyResult apply(List<VService> vservices) {
      last.set(vservices);
      return new ApplyResult(vservices.size(), 0, 0, 0, List.of());
    }

    @Override
    public void close() {}
  }

  private static List<String> googleBackends(LastPush dp) {
    Optional<VService> v = dp.last.get().stream().filter(s -> s.getName().equals("www.googleapis.com-443")).findFirst();
    return v.map(s -> s.getBackendsList().stream().map(b -> b.getIp() + ":" + b.getPort()).sorted().toList()).orElse(List.of());
  }

  @Test
  void agent_answersChange_backendsFollow() throws Exception {
    LastPush dp = new LastPush();
    try (TestDnsServer dns = new TestDnsServer(1);
        SerialScheduler scheduler = SerialScheduler.singleThread("test-agent");
        ExecutorService queries = Executors.newVirtualThreadPerTaskExecutor()) {
      dns.set("www.googleapis.com", List.of("127.0.0.2"));
      AtomicReference<Agent> agent = new AtomicReference<>();
      // A TTL of 1 s and a floor of 200 ms: the test sees a refresh within a second or two.
      DnsRefresher refresher = new DnsRefresher(DnsJavaResolver.create(List.of(dns.address())), scheduler, queries,
          new DnsRefresher.Config(Duration.ofMillis(200), Duration.ofMillis(200), 16), () -> agent.get().refresh());
      agent.set(new Agent(DnsClusters.translator(refresher), dp, scheduler, new SplittableRandom(1),
          new Agent.Config(Duration.ofMillis(10), Duration.ofMinutes(5), Agent.Config.DEFAULT_PUSH_RETRY, Duration.ofMillis(10))));

      agent.get().onSnapshot(EgressSnapshots.of(EgressSnapshots.GOOGLE_APIS));
      await().atMost(Duration.ofSeconds(10)).until(() -> googleBackends(dp).equals(List.of("127.0.0.2:443")));
      VService first = dp.last.get().stream().filter(s -> s.getName().equals("www.googleapis.com-443")).findFirst().orElseThrow();
      assertThat(first.getHostnamesList()).containsExactly("www.googleapis.com");

      dns.set("www.googleapis.com", List.of("127.0.0.3", "127.0.0.4"));
      await().atMost(Duration.ofSeconds(10)).until(() -> googleBackends(dp).equals(List.of("127.0.0.3:443", "127.0.0.4:443")));

      dns.set("www.googleapis.com", List.of());
      await().atMost(Duration.ofSeconds(10)).until(() -> googleBackends(dp).isEmpty());
      assertThat(dp.last.get()).extracting(VService::getName).contains("www.googleapis.com-443");
      agent.get().close();
    }
  }
}
