package io.ax.core.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.net.Inet4Endpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeastConnPolicyTest {
  private final LbPolicy policy = LbPolicy.LEAST_CONN;

  /** Counts set by the test; connects are recorded and added, as the kernel counts would. */
  static final class FakeCounts implements ConnectionCounts {
    final Map<Inet4Endpoint, Integer> open = new HashMap<>();
    final Map<Inet4Endpoint, Integer> connecting = new HashMap<>();

    @Override
    public int openTo(Inet4Endpoint address) {
      return open.getOrDefault(address, 0) + connecting.getOrDefault(address, 0);
    }

    @Override
    public void connecting(Inet4Endpoint address) {
      connecting.merge(address, 1, Integer::sum);
    }
  }

  @Test
  void order_twoBackends_alwaysTheLessLoadedFirst() {
    FakeCounts counts = new FakeCounts();
    counts.open.put(Candidates.address(0), 5);
    SeededLbState lb = SeededLbState.fromLoggedSeed("least conn two", counts);
    List<Candidate<String>> candidates = Candidates.of(List.of("a", "b"));

    // b has none, a has five held: b takes the next five, then they alternate.
    for (int i = 0; i < 5; i++) {
      assertThat(policy.order(candidates, new PickContext("vs", lb)).getFirst()).as("pick %d, seed %d", i, lb.seed()).isEqualTo("b");
    }
    assertThat(counts.connecting).containsEntry(Candidates.address(1), 5);
  }

  @Test
  void order_threeBackends_neverPicksTheMostLoaded() {
    FakeCounts counts = new FakeCounts();
    counts.open.put(Candidates.address(0), 1);
    counts.open.put(Candidates.address(1), 1000);
    counts.open.put(Candidates.address(2), 2);
    SeededLbState lb = SeededLbState.fromLoggedSeed("least conn three", counts);
    List<Candidate<String>> candidates = Candidates.of(List.of("a", "b", "c"));

    for (int i = 0; i < 200; i++) {
      List<String> order = policy.order(candidates, new PickContext("vs", lb));
      assertThat(order.getFirst()).as("seed %d", lb.seed()).isNotEqualTo("b");
      assertThat(order).containsExactlyInAnyOrder("a", "b", "c");
    }
  }

  @Test
  void order_failoverAfterThePick_byAscendingCount() {
    FakeCounts counts = new FakeCounts();
    counts.open.put(Candidates.address(0), 9);
    counts.open.put(Candidates.address(1), 3);
    counts.open.put(Candidates.address(2), 0);
    counts.open.put(Candidates.address(3), 5);

    List<String> order = policy.order(Candidates.of(List.of("a", "b", "c", "d")), new PickContext("vs", new SeededLbState(1, counts)));

    assertThat(order.subList(1, 4)).isSortedAccordingTo((x, y) -> Integer.compare(countOf(counts, x), countOf(counts, y)));
  }

  private static int countOf(FakeCounts counts, String item) {
    return counts.open.getOrDefault(Candidates.address(item.charAt(0) - 'a'), 0);
  }

  @Test
  void order_equalCounts_spreadsOverAll() {
    SeededLbState lb = SeededLbState.fromLoggedSeed("least conn spread");
    List<Candidate<String>> candidates = Candidates.of(List.of("a", "b", "c", "d"));
    Map<String, Integer> firsts = new HashMap<>();

    for (int i = 0; i < 400; i++) {
      firsts.merge(policy.order(candidates, new PickContext("vs", lb)).getFirst(), 1, Integer::sum);
    }

    assertThat(firsts).as("seed %d", lb.seed()).containsOnlyKeys("a", "b", "c", "d");
  }

  @Test
  void order_emptyAndSingle() {
    assertThat(policy.order(List.<Candidate<String>>of(), new PickContext("vs", new SeededLbState(0)))).isEmpty();
    assertThat(policy.order(Candidates.of(List.of("a")), new PickContext("vs", new SeededLbState(0)))).containsExactly("a");
  }
}
