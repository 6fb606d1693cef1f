package io.ax.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Scheduler#of}: the daemon's scheduler over a real executor (waits are bounded, no sleep). */
class SchedulerTest {
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().factory());

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void of_zeroDelay_runsTheTaskOnTheExecutor() throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(1);

    Scheduler.of(executor).schedule(Duration.ZERO, ran::countDown);

    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void of_cancelledBeforeDue_neverRunsAndShutdownDoesNotWaitForIt() throws InterruptedException {
    AtomicBoolean ran = new AtomicBoolean();
    Scheduler.Cancellable task = Scheduler.of(executor).schedule(Duration.ofHours(1), () -> ran.set(true));

    task.cancel();
    task.cancel();
    executor.shutdown();

    // A delayed task that still waited would hold the executor open for an hour.
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).isFalse();
  }
}
