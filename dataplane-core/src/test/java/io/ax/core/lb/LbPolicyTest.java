package io.ax.core.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.core.field.InvalidFieldException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class LbPolicyTest {

  @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Random      | Random",
        "random      | Random",
        "RANDOM      | Random",
        "rAnDoM      | Random",
        "' Random '  | Random",
        "RoundRobin  | RoundRobin",
        "roundrobin  | RoundRobin",
        "ROUNDROBIN  | RoundRobin",
        "roundRobin  | RoundRobin",
        "round_robin | RoundRobin",
        "LeastConn   | LeastConn",
        "least_conn  | LeastConn",
        "LEAST-CONN  | LeastConn",
        "ConsistentHash | ConsistentHash",
        "consistent_hash | ConsistentHash",
      })
  void parse_knownNameInAnyCase_returnsThatPolicy(String text, String displayName) {
    LbPolicy policy = LbPolicy.parse("--lbtype", text);

    assertThat(policy.displayName()).isEqualTo(displayName);
    assertThat(policy).isSameAs(policies().filter(p -> p.displayName().equals(displayName)).findFirst().orElseThrow());
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", "   ", "rand", "Round Robin", "LeastRequest", "random1", "hash", "Maglev"})
  void parse_unknownName_failsNamingFieldAndValue(String text) {
    assertThatThrownBy(() -> LbPolicy.parse("--lbtype", text))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("--lbtype: ")
        .hasMessageContaining("'" + text + "'")
        .extracting(e -> ((InvalidFieldException) e).field())
        .isEqualTo("--lbtype");
  }

  @ParameterizedTest
  @NullSource
  void parse_null_failsNamingField(String text) {
    assertThatThrownBy(() -> LbPolicy.parse("lbtype", text))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("lbtype: ");
  }

  static Stream<LbPolicy> policies() {
    return Stream.of(LbPolicy.RANDOM, LbPolicy.ROUND_ROBIN, LbPolicy.LEAST_CONN, LbPolicy.CONSISTENT_HASH);
  }

  @ParameterizedTest
  @MethodSource("policies")
  void parse_displayName_roundTrips(LbPolicy policy) {
    assertThat(LbPolicy.parse("lbtype", policy.displayName())).isEqualTo(policy);
  }

  static Stream<Arguments> policiesAndSizes() {
    return policies().flatMap(p -> IntStream.of(0, 1, 2, 3, 7, 16).mapToObj(n -> Arguments.of(p, n)));
  }

  @ParameterizedTest(name = "[{index}] {0} over {1} candidates")
  @MethodSource("policiesAndSizes")
  void order_anyPolicy_returnsPermutationOfCandidates(LbPolicy policy, int size) {
    SeededLbState lb = SeededLbState.fromLoggedSeed("permutation " + policy.displayName() + " " + size);
    List<Integer> candidates = IntStream.range(0, size).boxed().toList();

    for (int pick = 0; pick < 50; pick++) {
      List<Integer> ordered = policy.order(Candidates.of(candidates), new PickContext("vs", lb));

      assertThat(ordered).as("pick %d, seed %d", pick, lb.seed()).containsExactlyInAnyOrderElementsOf(candidates);
    }
  }

  @ParameterizedTest
  @MethodSource("policies")
  void order_anyPolicy_returnsNewListAndLeavesArgumentAlone(LbPolicy policy) {
    SeededLbState lb = SeededLbState.fromLoggedSeed("new-list " + policy.displayName());
    List<String> candidates = new ArrayList<>(List.of("a", "b", "c", "d"));

    for (int pick = 0; pick < 10; pick++) {
      List<String> ordered = policy.order(Candidates.of(candidates), new PickContext("vs", lb));

      assertThat(ordered).isNotSameAs(candidates);
    }
    assertThat(candidates).containsExactly("a", "b", "c", "d");
  }

  @ParameterizedTest
  @MethodSource("policies")
  void order_immutableCandidates_orders(LbPolicy policy) {
    List<String> candidates = List.of("a", "b", "c");

    List<String> ordered = policy.order(Candidates.of(candidates), new PickContext("vs", new SeededLbState(7)));

    assertThat(ordered).containsExactlyInAnyOrderElementsOf(candidates);
  }
}
