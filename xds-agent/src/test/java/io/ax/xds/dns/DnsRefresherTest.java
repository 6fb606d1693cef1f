package io.ax.xds.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.xds.agent.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The refresh rules of {@link DnsRefresher}, with time stepped by hand and answers scripted. */
class DnsRefresherTest {
  private static final DnsRefresher.Config CONFIG = new DnsRefresher.Config(Duration.ofSeconds(5), Duration.ofSeconds(2), 2);

  /** Answers from a script, one per query; an empty script fails the query. */
  private static final class Scripted implements HostResolver {
    final Deque<Object> script = new ArrayDeque<>();
    final AtomicInteger queries = new AtomicInteger();

    @Override
    public Answer resolve(String host) throws IOException {
      queries.incrementAndGet();
      Object next = script.poll();
      if (next instanceof Answer a) {
        return a;
      }
      throw new IOException("timed out");
    }
  }

  private final ManualScheduler scheduler = new ManualScheduler();
  private final Scripted resolver = new Scripted();
  private final AtomicInteger changes = new AtomicInteger();
  // Queries run inline: the answer is posted to the scheduler, as a virtual thread would.
  private final DnsRefresher refresher = new DnsRefresher(resolver, scheduler, Runnable::run, CONFIG, changes::incrementAndGet);

  private static HostResolver.Answer answer(Duration ttl, String... ips) {
    return new HostResolver.Answer(List.of(ips), ttl);
  }

  @Test
  void want_newHost_queriedAtOnce_answerKeptAndChangeSignalled() {
    resolver.script.add(answer(Duration.ofSeconds(30), "127.0.0.2"));

    assertThat(refresher.want(Set.of("a.test"))).isEqualTo(Map.of("a.test", List.of()));
    scheduler.runDue();

    assertThat(refresher.want(Set.of("a.test"))).isEqualTo(Map.of("a.test", List.of("127.0.0.2")));
    assertThat(changes).hasValue(1);
    assertThat(resolver.queries).hasValue(1);
  }

  @Test
  void refresh_atTheTtl_butNotBeforeTheFloor() {
    resolver.script.add(answer(Duration.ofSeconds(30), "127.0.0.2"));
    resolver.script.add(answer(Duration.ofSeconds(1), "127.0.0.3"));
    resolver.script.add(answer(Duration.ofSeconds(1), "127.0.0.3"));
    refresher.want(Set.of("a.test"));
    scheduler.runDue();

    scheduler.advance(Duration.ofSeconds(29));
    assertThat(resolver.queries).hasValue(1);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(resolver.queries).hasValue(2);
    assertThat(changes).hasValue(2);
    // A TTL of 1 s is asked again after the 5 s floor, and an unchanged answer signals nothing.
    scheduler.advance(Duration.ofSeconds(4));
    assertThat(resolver.queries).hasValue(2);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(resolver.queries).hasValue(3);
    assertThat(changes).hasValue(2);
  }

  @Test
  void failure_keepsTheLastAnswer_andRetriesAfterTheFailureRefresh() {
    resolver.script.add(answer(Duration.ofSeconds(5), "127.0.0.2"));
    refresher.want(Set.of("a.test"));
    scheduler.runDue();

    scheduler.advance(Duration.ofSeconds(5)); // the script is empty: this query fails
    assertThat(refresher.want(Set.of("a.test"))).isEqualTo(Map.of("a.test", List.of("127.0.0.2")));
    resolver.script.add(answer(Duration.ofSeconds(5)));
    scheduler.advance(Duration.ofSeconds(2));

    assertThat(resolver.queries).hasValue(3);
    assertThat(refresher.want(Set.of("a.test"))).isEqualTo(Map.of("a.test", List.of()));
    assertThat(changes).hasValue(2);
  }

  @Test
  void want_hostDropped_forgottenWithItsTimer_andHostsBeyondTheLimitGetNone() {
    resolver.script.add(answer(Duration.ofSeconds(5), "127.0.0.2"));
    resolver.script.add(answer(Duration.ofSeconds(5), "127.0.0.3"));
    refresher.want(Set.of("a.test", "b.test", "c.test"));
    scheduler.runDue();

    assertThat(refresher.want(Set.of("a.test", "b.test", "c.test"))).containsOnlyKeys("a.test", "b.test");
    refresher.want(Set.of());
    assertThat(scheduler.pending()).isZero();
  }
}
