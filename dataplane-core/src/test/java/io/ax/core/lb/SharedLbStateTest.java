package io.ax.core.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SharedLbStateTest {

  @Test
  void nextTicket_newKey_countsFromZero() {
    SharedLbState lb = new SharedLbState();

    assertThat(List.of(lb.nextTicket("web"), lb.nextTicket("web"), lb.nextTicket("web"))).containsExactly(0L, 1L, 2L);
  }

  @Test
  void nextTicket_twoKeys_countSeparately() {
    SharedLbState lb = new SharedLbState();
    lb.nextTicket("web");
    lb.nextTicket("web");

    assertThat(lb.nextTicket("db")).isZero();
    assertThat(lb.nextTicket("web")).isEqualTo(2L);
  }

  @Test
  void forget_thenNextTicket_startsAgainAtZero() {
    SharedLbState lb = new SharedLbState();
    lb.nextTicket("web");
    lb.nextTicket("web");

    lb.forget("web");

    assertThat(lb.nextTicket("web")).isZero();
  }

  @Test
  void forget_unknownKey_isHarmless() {
    SharedLbState lb = new SharedLbState();

    lb.forget("never-used");

    assertThat(lb.nextTicket("never-used")).isZero();
  }

  @Test
  void nextTicket_manyThreads_everyTicketGivenOnce() throws Exception {
    SharedLbState lb = new SharedLbState();
    int threads = 16;
    int perThread = 2_000;
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    List<Future<?>> done = new ArrayList<>();

    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int t = 0; t < threads; t++) {
        done.add(executor.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            assertThat(seen.add(lb.nextTicket("vs"))).isTrue();
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(); // rethrows an assertion failure from a worker
      }
    }

    assertThat(seen).containsExactlyInAnyOrderElementsOf(LongStream.range(0, (long) threads * perThread).boxed().toList());
  }

  @Test
  void random_isUsableByRandomPolicy() {
    SharedLbState lb = new SharedLbState();

    List<String> ordered = LbPolicy.RANDOM.order(Candidates.of(List.of("a", "b", "c")), new PickContext("vs", lb));

    assertThat(ordered).containsExactlyInAnyOrder("a", "b", "c");
  }
}
