package io.ax.core.mesh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Scheduler} on a clock that moves only when a test says so: {@link #advance} runs, on
 * the test's thread, the tasks that are due by then, in the order of their due time. Confined to
 * the test's thread.
 */
final class FakeScheduler implements Scheduler {
  /** One scheduled task and whether it still waits. */
  static final class Task implements Cancellable {
    final Duration dueAt;
    final Runnable body;
    boolean cancelled;
    boolean ran;

    Task(Duration dueAt, Runnable body) {
      this.dueAt = dueAt;
      this.body = body;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    boolean pending() {
      return !cancelled && !ran;
    }
  }

  private final List<Task> tasks = new ArrayList<>();
  private Duration now = Duration.ZERO;

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Task t = new Task(now.plus(delay), task);
    tasks.add(t);
    return t;
  }

  /** Moves the clock by {@code by} and runs what is due. */
  void advance(Duration by) {
    now = now.plus(by);
    tasks.stream()
        .filter(t -> t.pending() && t.dueAt.compareTo(now) <= 0)
        .sorted((a, b) -> a.dueAt.compareTo(b.dueAt))
        .toList()
        .forEach(t -> {
          t.ran = true;
          t.body.run();
        });
  }

  /** Every task scheduled so far, run, cancelled or waiting. */
  List<Task> tasks() {
    return List.copyOf(tasks);
  }

  /** How many tasks still wait. */
  long pending() {
    return tasks.stream().filter(Task::pending).count();
  }
}
