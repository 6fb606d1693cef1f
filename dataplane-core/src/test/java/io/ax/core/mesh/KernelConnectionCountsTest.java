package io.ax.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.core.net.HostPort;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KernelConnectionCountsTest {
  private static final HostPort A = HostPort.parse("a", "10.0.0.1:9080");
  private static final HostPort B = HostPort.parse("b", "10.0.0.2:9080");

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final Map<HostPort, Integer> kernel = new HashMap<>();
  private final AtomicInteger reads = new AtomicInteger();
  private boolean failing;
  private final KernelConnectionCounts counts = new KernelConnectionCounts(() -> {
    reads.incrementAndGet();
    if (failing) {
      throw new java.io.IOException("netlink went away");
    }
    return Map.copyOf(kernel);
  }, Duration.ofMillis(100), clock::get);

  private void advance(long millis) {
    clock.addAndGet(millis * 1_000_000);
  }

  @Test
  void openTo_manyCallsWithinTheInterval_oneRead() {
    kernel.put(A, 4);

    for (int i = 0; i < 50; i++) {
      assertThat(counts.openTo(A)).isEqualTo(4);
      advance(1);
    }

    assertThat(reads).hasValue(1);
  }

  @Test
  void openTo_afterTheInterval_readsAgain() {
    kernel.put(A, 4);
    counts.openTo(A);
    kernel.put(A, 1);
    advance(100);

    assertThat(counts.openTo(A)).isEqualTo(1);
    assertThat(reads).hasValue(2);
  }

  @Test
  void connecting_addedUntilTheNextRead() {
    kernel.put(A, 2);
    counts.openTo(A);

    counts.connecting(A);
    counts.connecting(A);
    counts.connecting(B);

    assertThat(counts.openTo(A)).isEqualTo(4);
    assertThat(counts.openTo(B)).isEqualTo(1);
    // The next read has the connections (or they closed): the daemon's own count starts over.
    kernel.put(A, 3);
    advance(150);
    assertThat(counts.openTo(A)).isEqualTo(3);
    assertThat(counts.openTo(B)).isZero();
  }

  @Test
  void openTo_noReadYet_readsOnFirstUse() {
    kernel.put(B, 7);

    assertThat(reads).hasValue(0);
    assertThat(counts.openTo(B)).isEqualTo(7);
    assertThat(reads).hasValue(1);
  }

  @Test
  void openTo_readFails_keepsTheLastCountsAndRetriesAfterTheInterval() {
    kernel.put(A, 5);
    counts.openTo(A);
    failing = true;
    advance(200);

    assertThat(counts.openTo(A)).isEqualTo(5);
    assertThat(counts.openTo(A)).isEqualTo(5);
    assertThat(reads).hasValue(2);
    failing = false;
    kernel.put(A, 0);
    advance(200);
    assertThat(counts.openTo(A)).isZero();
  }
}
