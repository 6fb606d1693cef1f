package io.ax.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.net.Endpoints;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class KernelConnectionCountsTest {
  private static final Inet4Endpoint A = Endpoints.parse("a", "10.0.0.1:9080");
  private static final Inet4Endpoint B = Endpoints.parse("b", "10.0.0.2:9080");

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final Map<Inet4Endpoint, Integer> kernel = new HashMap<>();
  private final AtomicInteger reads = new AtomicInteger();
  private boolean failing;
  private final KernelConnectionCounts.Source dump = () -> {
    reads.incrementAndGet();
    if (failing) {
      throw new java.io.IOException("netlink went away");
    }
    return Map.copyOf(kernel);
  };
  // Refreshes run in the caller: a stale read answers from the fresh counts.
  private final KernelConnectionCounts counts = new KernelConnectionCounts(dump, Duration.ofMillis(100), clock::get, Runnable::run);
  // Refreshes wait here until the test runs them, as a background thread would.
  private final Queue<Runnable> pending = new ArrayDeque<>();
  private final KernelConnectionCounts background = new KernelConnectionCounts(dump, Duration.ofMillis(100), clock::get, pending::add);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void captureLog() {
    logged.start();
    ((Logger) LoggerFactory.getLogger(KernelConnectionCounts.class)).addAppender(logged);
  }

  @AfterEach
  void releaseLog() {
    ((Logger) LoggerFactory.getLogger(KernelConnectionCounts.class)).detachAppender(logged);
  }

  private void runPending() {
    assertThat(pending).hasSize(1);
    pending.remove().run();
  }

  private List<String> warnings() {
    return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }

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

  @Test
  void openTo_staleCounts_requestsOneBackgroundRefreshAndAnswersFromTheLastOnes() {
    kernel.put(A, 4);

    assertThat(background.openTo(A)).isZero(); // nothing read yet
    assertThat(reads).hasValue(0);
    runPending();
    assertThat(background.openTo(A)).isEqualTo(4);
    assertThat(pending).isEmpty();

    kernel.put(A, 1);
    advance(100);
    assertThat(background.openTo(A)).isEqualTo(4);
    assertThat(reads).hasValue(1);
    runPending();
    assertThat(background.openTo(A)).isEqualTo(1);
    assertThat(reads).hasValue(2);
  }

  @Test
  void openTo_manyStaleReadsWhileARefreshIsPending_oneRefresh() {
    for (int i = 0; i < 20; i++) {
      background.openTo(A);
      advance(50);
    }

    assertThat(pending).hasSize(1);
    runPending();
    assertThat(reads).hasValue(1);
  }

  @Test
  void connecting_keptWhileARefreshIsPending_andAfterAFailedOne() {
    kernel.put(A, 2);
    background.openTo(A);
    runPending();
    advance(100);

    background.connecting(A);
    assertThat(background.openTo(A)).isEqualTo(3);
    failing = true;
    runPending();
    background.connecting(A);

    assertThat(background.openTo(A)).isEqualTo(4);
  }

  @Test
  void openTo_concurrentCallersWhileTheDumpBlocks_returnAndStartNoSecondDump() throws Exception {
    CountDownLatch dumping = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger dumps = new AtomicInteger();
    List<Thread> refreshThreads = new ArrayList<>();
    KernelConnectionCounts slow = new KernelConnectionCounts(() -> {
      dumps.incrementAndGet();
      dumping.countDown();
      release.await();
      return Map.of(A, 9);
    }, Duration.ofMillis(100), clock::get, task -> {
      synchronized (refreshThreads) {
        refreshThreads.add(Thread.ofVirtual().start(task));
      }
    });

    slow.openTo(A);
    dumping.await();
    List<Thread> callers = new ArrayList<>();
    List<Integer> answers = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 8; i++) {
      callers.add(Thread.ofVirtual().start(() -> {
        for (int j = 0; j < 100; j++) {
          answers.add(slow.openTo(A));
        }
      }));
    }
    for (Thread t : callers) {
      t.join(); // all return while the dump is still blocked
    }

    assertThat(answers).hasSize(800).containsOnly(0);
    assertThat(dumps).hasValue(1);
    release.countDown();
    synchronized (refreshThreads) {
      assertThat(refreshThreads).hasSize(1);
    }
    refreshThreads.getFirst().join();
    assertThat(slow.openTo(A)).isEqualTo(9);
  }

  @Test
  void refresh_failingDump_oldCountsStayAndTheWarningIsRateLimited() {
    kernel.put(A, 5);
    background.openTo(A);
    runPending();
    failing = true;

    for (int i = 0; i < 5; i++) {
      advance(100);
      background.openTo(A);
      runPending();
      assertThat(background.openTo(A)).isEqualTo(5);
    }
    assertThat(warnings()).hasSize(1);
    assertThat(warnings().getFirst()).contains("(0 more failures", "netlink went away");

    advance(KernelConnectionCounts.FAILURE_LOG_INTERVAL.toMillis());
    background.openTo(A);
    runPending();
    assertThat(warnings()).hasSize(2);
    assertThat(warnings().getLast()).contains("(4 more failures");

    failing = false;
    kernel.put(A, 1);
    advance(100);
    background.openTo(A);
    runPending();
    assertThat(background.openTo(A)).isEqualTo(1);
    assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).contains("[lb] reading the kernel's connection counts again");
  }
}
