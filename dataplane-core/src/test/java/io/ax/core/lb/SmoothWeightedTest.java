package io.ax.core.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmoothWeightedTest {

  private static List<String> picks(SmoothWeighted sw, List<String> ids, int[] weights, int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(ids.get(sw.next(ids, weights)));
    }
    return out;
  }

  @Test
  void next_fourToOne_spreadsTheLightOneOut() {
    assertThat(String.join("", picks(new SmoothWeighted(), List.of("a", "b"), new int[] {4, 1}, 10))).isEqualTo("aabaaaabaa");
  }

  @Test
  void next_nginxExample_fiveOneOne() {
    // The sequence nginx's commit message documents for weights 5, 1, 1.
    assertThat(String.join("", picks(new SmoothWeighted(), List.of("a", "b", "c"), new int[] {5, 1, 1}, 7))).isEqualTo("aabacaa");
  }

  @ParameterizedTest(name = "[{index}] weights {0}")
  @CsvSource(
      delimiter = '|',
      value = {"80 20", "1 1", "3 2 1", "5 1 1", "7 11 13", "100 1", "1 2 3 4 5 6 7 8 9 10", "50 30 20"})
  void next_anyWindowOfTotalWeightPicks_givesExactShares(String weightText) {
    int[] weights = Arrays.stream(weightText.split(" ")).mapToInt(Integer::parseInt).toArray();
    List<String> ids = IntStream.range(0, weights.length).mapToObj(i -> "m" + i).toList();
    int total = Arrays.stream(weights).sum();
    List<String> seq = picks(new SmoothWeighted(), ids, weights, total * 5);

    // The sequence is periodic with period W, so every window of W consecutive picks holds each
    // member exactly its weight's times (not only windows that start at 0).
    for (int start = 0; start + total <= seq.size(); start++) {
      Map<String, Long> counts = seq.subList(start, start + total).stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
      for (int i = 0; i < weights.length; i++) {
        assertThat(counts.getOrDefault(ids.get(i), 0L)).as("window at %d, member %d", start, i).isEqualTo(weights[i]);
      }
    }
  }

  @Test
  void next_eightyTwenty_exactlyEightAndTwoInEveryTenConsecutive() {
    List<String> seq = picks(new SmoothWeighted(), List.of("v1", "v2"), new int[] {80, 20}, 200);

    for (int start = 0; start + 10 <= seq.size(); start++) {
      assertThat(seq.subList(start, start + 10).stream().filter("v1"::equals).count()).as("window at %d", start).isEqualTo(8);
    }
  }

  @Test
  void next_memberLeavesAndComesBack_othersStayBalanced() {
    SmoothWeighted sw = new SmoothWeighted();
    picks(sw, List.of("a", "b", "c"), new int[] {1, 1, 1}, 5);

    List<String> withoutC = picks(sw, List.of("a", "b"), new int[] {1, 1}, 10);

    Map<String, Integer> counts = new HashMap<>();
    withoutC.forEach(s -> counts.merge(s, 1, Integer::sum));
    assertThat(counts).containsOnlyKeys("a", "b");
    assertThat(counts.get("a")).isBetween(4, 6);
  }

  @Test
  void next_manyMembersComeAndGo_memoryStaysBounded() throws Exception {
    SmoothWeighted sw = new SmoothWeighted();
    for (int round = 0; round < 1000; round++) {
      sw.next(List.of("x" + round, "y" + round), new int[] {1, 2});
    }
    var field = SmoothWeighted.class.getDeclaredField("current");
    field.setAccessible(true);

    assertThat(((Map<?, ?>) field.get(sw)).size()).isLessThanOrEqualTo(2 * 2 + 16 + 2);
  }

  @Test
  void next_mismatchedLengths_refused() {
    assertThatThrownBy(() -> new SmoothWeighted().next(List.of("a"), new int[] {1, 2})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SmoothWeighted().next(List.of(), new int[] {})).isInstanceOf(IllegalArgumentException.class);
  }
}
