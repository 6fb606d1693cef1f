package io.ax.xds.agent;

import io.ax.xds.ads.SerialScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A {@link SerialScheduler} whose time moves only when the test says so: {@link #advance} runs,
 * on the test's thread, every task due by then in time order. {@code execute} tasks are due now.
 */
public final class ManualScheduler implements SerialScheduler {
  private record Task(long due, long seq, Runnable run, boolean[] cancelled) {}

  private final List<Task> tasks = new ArrayList<>();
  private long now;
  private long seq;

  @Override
  public synchronized void execute(Runnable task) {
    tasks.add(new Task(now, seq++, task, new boolean[1]));
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, Duration delay) {
    Task t = new Task(now + delay.toNanos(), seq++, task, new boolean[1]);
    tasks.add(t);
    return () -> t.cancelled()[0] = true;
  }

  /** Runs what is due now. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** Moves time forward by {@code d}, running each task when its time comes. */
  public void advance(Duration d) {
    long until = now + d.toNanos();
    while (true) {
      Optional<Task> next;
      synchronized (this) {
        next = tasks.stream().filter(t -> t.due() <= until).min(Comparator.comparingLong(Task::due).thenComparingLong(Task::seq));
        next.ifPresent(tasks::remove);
        next.ifPresent(t -> now = Math.max(now, t.due()));
      }
      if (next.isEmpty()) {
        break;
      }
      if (!next.get().cancelled()[0]) {
        next.get().run().run();
      }
    }
    synchronized (this) {
      now = until;
    }
  }

  /** Timers not yet run or cancelled. */
  public synchronized long pending() {
    return tasks.stream().filter(t -> !t.cancelled()[0]).count();
  }

  @Override
  public void close() {}
}
