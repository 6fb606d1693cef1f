package io.ax.xds.ads;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One serial executor with timers: the only thread that touches the state of the component that
 * owns it (the ADS client, the agent). Tasks run one at a time, in submission order; a timer's
 * task runs on the same executor. Tests inject a manual implementation to step time by hand.
 */
public interface SerialScheduler extends AutoCloseable {

  /** Runs {@code task} later on the serial executor. Dropped silently once closed. */
  void execute(Runnable task);

  /** Runs {@code task} on the serial executor after {@code delay}; the handle cancels it. */
  Cancellable schedule(Runnable task, Duration delay);

  /** Stops running tasks; pending timers are dropped. Idempotent. */
  @Override
  void close();

  /** A pending timer. Cancelling twice, or after it ran, is harmless. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }

  /** The real scheduler: one daemon platform thread named {@code name}. */
  static SerialScheduler singleThread(String name) {
    Objects.requireNonNull(name, "name");
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
    return new SerialScheduler() {
      @Override
      public void execute(Runnable task) {
        if (!executor.isShutdown()) {
          try {
            executor.execute(task);
          } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed between the check and the submit: dropping is the contract
          }
        }
      }

      @Override
      public Cancellable schedule(Runnable task, Duration delay) {
        if (executor.isShutdown()) {
          return () -> {};
        }
        try {
          ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
          return () -> f.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          return () -> {};
        }
      }

      @Override
      public void close() {
        executor.shutdownNow();
      }
    };
  }
}
