package io.ax.core.ports;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PortPoolTest {

  private static PortPool pool(String csv) {
    return new PortPool(PortRanges.parse("--ports", csv));
  }

  private static List<Integer> allocate(PortPool pool, int n) {
    List<Integer> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      got.add(pool.allocate().orElseThrow(() -> new AssertionError("pool exhausted early")));
    }
    return got;
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
  @CsvSource(delimiter = '|', value = {"4000,6000-8000 | 4000", "6000-8000,4000 | 4000", "40000-60000 | 40000", "1-3 | 1", "65535 | 65535"})
  void allocate_first_givesFirstPort(String csv, int first) {
    assertThat(pool(csv).allocate()).hasValue(first);
  }

  @Test
  void allocate_successive_walksRangesInOrderThenWraps() {
    PortPool pool = pool("20-21,10,30");

    assertThat(allocate(pool, 4)).containsExactly(10, 20, 21, 30);
    assertThat(pool.allocate()).isEmpty();
  }

  @Test
  void allocate_wholeSpace_givesEachPortOnceThenEmpty() {
    PortRanges ranges = PortRanges.parse("--ports", "1-3,10,20-22,65530-65535");
    PortPool pool = new PortPool(ranges);

    List<Integer> got = allocate(pool, ranges.size());

    assertThat(got).doesNotHaveDuplicates().allSatisfy(p -> assertThat(ranges.contains(p)).isTrue());
    assertThat(pool.allocate()).isEmpty();
    assertThat(pool.inUse()).isEqualTo(ranges.size());
  }

  @Test
  void allocate_afterRelease_reusesReleasedPortLast() {
    PortPool pool = pool("100-104");
    assertThat(allocate(pool, 2)).containsExactly(100, 101);

    pool.release(101);

    // Next-fit: 101 may have connections in TIME_WAIT; the free ports after it come first.
    assertThat(allocate(pool, 3)).containsExactly(102, 103, 104);
    assertThat(pool.allocate()).hasValue(101);
    assertThat(pool.allocate()).isEmpty();
  }

  @Test
  void allocate_exhaustedThenRelease_givesTheReleasedPort() {
    PortPool pool = pool("100-102");
    allocate(pool, 3);
    assertThat(pool.allocate()).isEmpty();

    pool.release(100);

    assertThat(pool.allocate()).hasValue(100);
    assertThat(pool.allocate()).isEqualTo(OptionalInt.empty());
  }

  @Test
  void reserve_freePortInSpace_takesItAndAllocateSkipsIt() {
    PortPool pool = pool("100-103");

    assertThat(pool.reserve(100)).isTrue();
    assertThat(pool.reserve(102)).isTrue();

    assertThat(allocate(pool, 2)).containsExactly(101, 103);
    assertThat(pool.allocate()).isEmpty();
    assertThat(pool.inUse()).isEqualTo(4);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource({"99", "104", "0", "65535", "-1"})
  void reserve_portOutsideSpace_refused(int port) {
    PortPool pool = pool("100-103");

    assertThat(pool.reserve(port)).isFalse();
    assertThat(pool.inUse()).isZero();
  }

  @Test
  void reserve_takenPort_refused() {
    PortPool pool = pool("100-103");
    int given = pool.allocate().orElseThrow();

    assertThat(pool.reserve(given)).isFalse();
    assertThat(pool.reserve(101)).isTrue();
    assertThat(pool.reserve(101)).isFalse();
  }

  @Test
  void release_freeOrOutsidePort_isHarmless() {
    PortPool pool = pool("100-101");
    pool.allocate();

    pool.release(101); // free
    pool.release(5000); // outside the space
    pool.release(101); // twice

    assertThat(pool.inUse()).isEqualTo(1);
    assertThat(pool.allocate()).hasValue(101);
  }

  @Test
  void release_makesPortReservableAgain() {
    PortPool pool = pool("100-101");
    pool.reserve(100);

    pool.release(100);

    assertThat(pool.reserve(100)).isTrue();
  }

  @Test
  void allocate_concurrently_neverGivesAPortTwice() throws Exception {
    PortRanges ranges = PortRanges.parse("--ports", "5000-5999,7000-7999");
    PortPool pool = new PortPool(ranges);
    Set<Integer> given = ConcurrentHashMap.newKeySet();
    List<Future<?>> done = new ArrayList<>();

    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      IntStream.range(0, 20)
          .forEach(t -> done.add(executor.submit(() -> {
            for (int i = 0; i < 100; i++) {
              int p = pool.allocate().orElseThrow(() -> new AssertionError("exhausted before 2000"));
              assertThat(given.add(p)).as("port %d given twice", p).isTrue();
            }
          })));
      for (Future<?> f : done) {
        f.get();
      }
    }

    assertThat(given).hasSize(ranges.size());
    assertThat(pool.allocate()).isEmpty();
  }
}
