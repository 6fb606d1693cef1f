package io.ax.core.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Weights under Random and RoundRobin. */
class WeightedPolicyTest {

  @ParameterizedTest(name = "[{index}] weights {0} {1} {2}")
  @CsvSource({"1, 1, 2", "1, 3, 6", "10, 1, 1", "5, 5, 90"})
  void random_weighted_firstPicksFollowTheWeights(int wa, int wb, int wc) {
    SeededLbState lb = SeededLbState.fromLoggedSeed("weighted random " + wa + "/" + wb + "/" + wc);
    List<Candidate<String>> candidates = Candidates.weighted(List.of("a", "b", "c"), wa, wb, wc);
    int picks = 40_000;
    Map<String, Integer> firsts = new HashMap<>();

    for (int i = 0; i < picks; i++) {
      firsts.merge(LbPolicy.RANDOM.order(candidates, new PickContext("vs", lb)).getFirst(), 1, Integer::sum);
    }

    double total = wa + wb + wc;
    // 40,000 draws: the standard deviation of a share is below 0.25%; 1.5% is six of them.
    assertThat(firsts.getOrDefault("a", 0) / (double) picks).as("seed %d", lb.seed()).isCloseTo(wa / total, org.assertj.core.data.Offset.offset(0.015));
    assertThat(firsts.getOrDefault("b", 0) / (double) picks).as("seed %d", lb.seed()).isCloseTo(wb / total, org.assertj.core.data.Offset.offset(0.015));
    assertThat(firsts.getOrDefault("c", 0) / (double) picks).as("seed %d", lb.seed()).isCloseTo(wc / total, org.assertj.core.data.Offset.offset(0.015));
  }

  @Test
  void random_weighted_returnsEveryCandidateOnce() {
    SeededLbState lb = SeededLbState.fromLoggedSeed("weighted random permutation");
    List<Candidate<String>> candidates = Candidates.weighted(List.of("a", "b", "c", "d"), 1, 100, 3, 7);

    for (int i = 0; i < 100; i++) {
      assertThat(LbPolicy.RANDOM.order(candidates, new PickContext("vs", lb))).containsExactlyInAnyOrder("a", "b", "c", "d");
    }
  }

  @Test
  void roundRobin_weighted_exactSharesOverEachCycle() {
    SeededLbState lb = new SeededLbState(0);
    List<Candidate<String>> candidates = Candidates.weighted(List.of("a", "b", "c"), 3, 2, 1);
    StringBuilder firsts = new StringBuilder();

    for (int i = 0; i < 12; i++) {
      firsts.append(LbPolicy.ROUND_ROBIN.order(candidates, new PickContext("vs", lb)).getFirst());
    }

    // nginx's smooth sequence for 3, 2, 1, twice.
    assertThat(firsts.toString()).isEqualTo("abacbaabacba");
  }

  @Test
  void roundRobin_weighted_failoverGoesOnAlongTheListFromThePick() {
    SeededLbState lb = new SeededLbState(0);
    List<Candidate<String>> candidates = Candidates.weighted(List.of("a", "b", "c"), 1, 5, 1);

    List<String> order = LbPolicy.ROUND_ROBIN.order(candidates, new PickContext("vs", lb));

    assertThat(order).containsExactly("b", "c", "a");
  }

  @Test
  void roundRobin_equalWeightsAboveOne_sameAsUnweighted() {
    SeededLbState lb = new SeededLbState(0);
    List<Candidate<String>> candidates = Candidates.weighted(List.of("a", "b", "c"), 4, 4, 4);
    StringBuilder firsts = new StringBuilder();

    for (int i = 0; i < 6; i++) {
      firsts.append(LbPolicy.ROUND_ROBIN.order(candidates, new PickContext("vs", lb)).getFirst());
    }

    assertThat(firsts.toString()).isEqualTo("abcabc");
  }
}
