package io.ax.core.mesh;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once, after a delay, on a thread of its own. The daemon's is a
 * {@link ScheduledExecutorService} ({@link #of}); tests use a fake that they advance by hand, so
 * a grace period passes without a sleep. Implementations are thread-safe.
 */
@FunctionalInterface
public interface Scheduler {

  /** A scheduled task. */
  @FunctionalInterface
  interface Cancellable {
    /** Keeps the task from running if it has not started; harmless after it ran, and twice. */
    void cancel();
  }

  /**
   * Runs {@code task} once, {@code delay} from now; a task that throws is not run again.
   *
   * @return its handle, which cancels it
   */
  Cancellable schedule(Duration delay, Runnable task);

  /** Tasks on {@code executor}; shutting it down cancels those not yet started. */
  static Scheduler of(ScheduledExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    return (delay, task) -> {
      ScheduledFuture<?> f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }
}
