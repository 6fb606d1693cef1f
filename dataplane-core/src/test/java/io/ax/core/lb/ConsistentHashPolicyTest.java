package io.ax.core.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.core.net.Ipv4;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsistentHashPolicyTest {
  private static final int CLIENTS = 20_000;
  private final LbPolicy policy = LbPolicy.CONSISTENT_HASH;
  private final SharedLbState lb = new SharedLbState();

  private static Ipv4 client(int i) {
    return new Ipv4(0x64400000 + i * 7919); // spread over 100.64.0.0/10
  }

  private String pick(List<Candidate<String>> candidates, int client) {
    return policy.order(candidates, new PickContext("vs", lb, client(client))).getFirst();
  }

  private static List<String> names(int n) {
    return IntStream.range(0, n).mapToObj(i -> "b" + i).toList();
  }

  @Test
  void order_sameClient_sameBackendEveryTime() {
    List<Candidate<String>> candidates = Candidates.of(names(5));

    for (int c = 0; c < 200; c++) {
      String first = pick(candidates, c);
      for (int again = 0; again < 5; again++) {
        assertThat(pick(candidates, c)).isEqualTo(first);
      }
    }
  }

  @Test
  void order_candidatesInAnotherOrder_sameBackend() {
    List<Candidate<String>> candidates = Candidates.of(names(6));
    List<Candidate<String>> reversed = candidates.reversed();

    for (int c = 0; c < 500; c++) {
      assertThat(policy.order(reversed, new PickContext("vs", lb, client(c))).getFirst()).isEqualTo(pick(candidates, c));
    }
  }

  @ParameterizedTest(name = "[{index}] {0} backends, one added")
  @ValueSource(ints = {2, 5, 10, 20})
  void order_backendAdded_movesAboutOneNthOfClientsAllToTheNewOne(int n) {
    List<Candidate<String>> before = Candidates.of(names(n));
    List<Candidate<String>> after = Candidates.of(names(n + 1));
    int moved = 0;

    for (int c = 0; c < CLIENTS; c++) {
      String was = pick(before, c);
      String now = pick(after, c);
      if (!was.equals(now)) {
        moved++;
        assertThat(now).as("client %d moved from %s", c, was).isEqualTo("b" + n);
      }
    }

    double expected = 1.0 / (n + 1);
    // 128 points per backend: a share is within about a third of its ideal on this ring.
    assertThat(moved / (double) CLIENTS).isCloseTo(expected, Offset.offset(expected * 0.4));
  }

  @Test
  void order_backendRemoved_onlyItsClientsMove() {
    List<Candidate<String>> before = Candidates.of(names(8));
    List<Candidate<String>> after = before.stream().filter(c -> !c.item().equals("b3")).toList();

    for (int c = 0; c < CLIENTS; c++) {
      String was = pick(before, c);
      if (!was.equals("b3")) {
        assertThat(pick(after, c)).as("client %d", c).isEqualTo(was);
      }
    }
  }

  @Test
  void order_weights_sharesFollowWeights() {
    List<Candidate<String>> candidates = Candidates.weighted(List.of("a", "b"), 1, 3);
    Map<String, Integer> counts = new HashMap<>();

    for (int c = 0; c < CLIENTS; c++) {
      counts.merge(pick(candidates, c), 1, Integer::sum);
    }

    assertThat(counts.get("b") / (double) CLIENTS).isCloseTo(0.75, Offset.offset(0.08));
  }

  @Test
  void order_failover_everyCandidateOnceStartingWithThePick() {
    List<Candidate<String>> candidates = Candidates.of(names(7));

    for (int c = 0; c < 100; c++) {
      List<String> order = policy.order(candidates, new PickContext("vs", lb, client(c)));
      assertThat(order).hasSize(7).doesNotHaveDuplicates().first().isEqualTo(pick(candidates, c));
    }
  }

  @Test
  void order_singleCandidateAndEmpty() {
    assertThat(policy.order(Candidates.of(List.of("x")), new PickContext("vs", lb))).containsExactly("x");
    assertThat(policy.order(List.<Candidate<String>>of(), new PickContext("vs", lb))).isEmpty();
  }

  @Test
  void ring_manyHeavyMembers_pointsStayBounded() {
    HashRing.Shape shape = new HashRing.Shape(
        IntStream.range(0, 1000).mapToObj(i -> "10.0." + i / 256 + "." + i % 256 + ":80").toList(), IntStream.range(0, 1000).mapToObj(i -> 1 + i % 3).toList());

    HashRing ring = HashRing.of(shape);

    assertThat(ring.size()).isLessThanOrEqualTo(HashRing.MAX_POINTS).isGreaterThanOrEqualTo(1000);
    assertThat(ring.order(12345L)).hasSize(1000).doesNotHaveDuplicates();
  }
}
