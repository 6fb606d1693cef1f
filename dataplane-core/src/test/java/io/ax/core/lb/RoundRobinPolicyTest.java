package io.ax.core.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoundRobinPolicyTest {
  private final LbPolicy policy = LbPolicy.ROUND_ROBIN;

  @Test
  void order_successiveCalls_startOneFurtherEachTime() {
    SeededLbState lb = new SeededLbState(0);
    List<String> candidates = List.of("a", "b", "c");

    List<List<String>> orders = IntStream.range(0, 4).mapToObj(i -> policy.order(Candidates.of(candidates), new PickContext("web", lb))).toList();

    assertThat(orders)
        .containsExactly(
            List.of("a", "b", "c"), //
            List.of("b", "c", "a"),
            List.of("c", "a", "b"),
            List.of("a", "b", "c"));
  }

  @ParameterizedTest(name = "[{index}] {0} candidates, {1} rounds")
  @CsvSource({"1, 5", "2, 1", "2, 50", "3, 100", "5, 7", "16, 3"})
  void order_nTimesKPicks_eachCandidateFirstExactlyKTimes(int n, int k) {
    SeededLbState lb = new SeededLbState(0);
    List<Integer> candidates = IntStream.range(0, n).boxed().toList();
    Map<Integer, Integer> firsts = new HashMap<>();

    for (int pick = 0; pick < n * k; pick++) {
      firsts.merge(policy.order(Candidates.of(candidates), new PickContext("vs", lb)).getFirst(), 1, Integer::sum);
    }

    assertThat(firsts).hasSize(n).allSatisfy((candidate, count) -> assertThat(count).as("candidate %d", candidate).isEqualTo(k));
  }

  @Test
  void order_differentKeys_rotateIndependently() {
    SeededLbState lb = new SeededLbState(0);
    List<String> candidates = List.of("a", "b", "c");

    policy.order(Candidates.of(candidates), new PickContext("web", lb));
    policy.order(Candidates.of(candidates), new PickContext("web", lb));
    List<String> firstOfDb = policy.order(Candidates.of(candidates), new PickContext("db", lb));
    List<String> thirdOfWeb = policy.order(Candidates.of(candidates), new PickContext("web", lb));

    assertThat(firstOfDb).containsExactly("a", "b", "c");
    assertThat(thirdOfWeb).containsExactly("c", "a", "b");
  }

  @Test
  void order_keepsCandidateOrderAfterTheStart() {
    SeededLbState lb = new SeededLbState(0);
    List<Integer> candidates = List.of(10, 20, 30, 40, 50);
    policy.order(Candidates.of(candidates), new PickContext("vs", lb));
    policy.order(Candidates.of(candidates), new PickContext("vs", lb));

    List<Integer> third = policy.order(Candidates.of(candidates), new PickContext("vs", lb));

    // Failover goes on along the list and wraps: the order the bridge retries in.
    assertThat(third).containsExactly(30, 40, 50, 10, 20);
  }

  @Test
  void order_ticketBeyondIntRange_stillRotatesByModulo() {
    long big = 3L * Integer.MAX_VALUE + 2; // a long-lived daemon: tickets pass 2^31; big mod 3 == 2
    LbState lb =
        new LbState() {
          @Override
          public long nextTicket(String key) {
            return big;
          }

          @Override
          public SmoothWeighted smoothWeighted(String key) {
            throw new AssertionError("equal weights use the tickets");
          }

          @Override
          public HashRing ring(HashRing.Shape shape) {
            throw new AssertionError("round robin has no ring");
          }

          @Override
          public ConnectionCounts connections() {
            throw new AssertionError("round robin counts no connections");
          }

          @Override
          public java.util.random.RandomGenerator random() {
            throw new AssertionError("round robin must not use randomness");
          }
        };

    List<String> ordered = policy.order(Candidates.of(List.of("a", "b", "c")), new PickContext("vs", lb));

    assertThat(ordered).containsExactly("c", "a", "b");
  }

  @Test
  void order_emptyCandidates_returnsEmpty() {
    assertThat(policy.order(Candidates.of(List.of()), new PickContext("vs", new SeededLbState(0)))).isEmpty();
  }
}
