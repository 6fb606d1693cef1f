package io.ax.core.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Distribution checks of the random policy. Bounds are many standard deviations wide (see each
 * test), so with any seed a failure means a biased shuffle, not bad luck; the seed is logged.
 */
class RandomPolicyTest {
  private static final Logger log = LoggerFactory.getLogger(RandomPolicyTest.class);
  private final LbPolicy policy = LbPolicy.RANDOM;

  @Test
  void order_30000Picks_firstPickRoughlyUniform() {
    SeededLbState lb = SeededLbState.fromLoggedSeed("random first pick");
    List<String> candidates = List.of("a", "b", "c");
    int picks = 30_000;
    Map<String, Integer> firsts = new HashMap<>();

    for (int i = 0; i < picks; i++) {
      firsts.merge(policy.order(Candidates.of(candidates), new PickContext("vs", lb)).getFirst(), 1, Integer::sum);
    }
    log.info("[lb-test random first pick] seed {} counts {}", lb.seed(), firsts);

    // Each share has a standard deviation of 0.27%: 31%-36% is more than 8 of them either side.
    assertThat(firsts).containsOnlyKeys(candidates);
    assertThat(firsts.values())
        .as("seed %d", lb.seed())
        .allSatisfy(count -> assertThat(count).isBetween((int) (picks * 0.31), (int) (picks * 0.36)));
    // Chi-square with 2 degrees of freedom: P(X > 30) is about 3e-7.
    double expected = picks / 3.0;
    double chiSquare = firsts.values().stream().mapToDouble(c -> (c - expected) * (c - expected) / expected).sum();
    assertThat(chiSquare).as("chi-square, seed %d", lb.seed()).isLessThan(30.0);
  }

  @Test
  void order_30000Picks_everyPermutationRoughlyEquallyLikely() {
    SeededLbState lb = SeededLbState.fromLoggedSeed("random permutations");
    List<String> candidates = List.of("a", "b", "c");
    int picks = 30_000;
    Map<List<String>, Integer> orders = new HashMap<>();

    for (int i = 0; i < picks; i++) {
      orders.merge(policy.order(Candidates.of(candidates), new PickContext("vs", lb)), 1, Integer::sum);
    }
    log.info("[lb-test random permutations] seed {} counts {}", lb.seed(), orders);

    // 6 permutations, 5000 each expected, standard deviation 65: 4500-5500 is over 7 of them.
    // A classic off-by-one in Fisher-Yates (nextInt(n) instead of nextInt(i + 1)) misses this.
    assertThat(orders).as("seed %d", lb.seed()).hasSize(6);
    assertThat(orders.values()).as("seed %d", lb.seed()).allSatisfy(count -> assertThat(count).isBetween(4500, 5500));
  }

  @Test
  void order_sameSeed_sameOrders() {
    List<Integer> candidates = List.of(1, 2, 3, 4, 5, 6, 7, 8);
    SeededLbState one = new SeededLbState(42);
    SeededLbState two = new SeededLbState(42);

    for (int i = 0; i < 20; i++) {
      assertThat(policy.order(Candidates.of(candidates), new PickContext("vs", one))).isEqualTo(policy.order(Candidates.of(candidates), new PickContext("x", two)));
    }
  }

  @Test
  void order_doesNotUseRoundRobinTickets() {
    SeededLbState lb = SeededLbState.fromLoggedSeed("random tickets");

    policy.order(Candidates.of(List.of("a", "b")), new PickContext("vs", lb));

    assertThat(lb.nextTicket("vs")).isZero();
  }
}
