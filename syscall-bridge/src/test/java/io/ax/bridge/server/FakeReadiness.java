package io.ax.bridge.server;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/** The event loop, played by the test: it says when a watched socket becomes writable, or times out. */
final class FakeReadiness implements Readiness {
  /** One watch: the fd, what to run once it is writable, and its timeout with what runs then. */
  record Watch(int fd, Runnable then, Optional<Duration> timeout, Runnable timedOut) {}

  final Deque<Watch> watches = new ArrayDeque<>();

  @Override
  public void onceWritable(int fd, Runnable then) {
    watches.add(new Watch(fd, then, Optional.empty(), () -> {
      throw new AssertionError("this watch has no timeout");
    }));
  }

  @Override
  public void onceWritable(int fd, Duration timeout, Runnable then, Runnable timedOut) {
    watches.add(new Watch(fd, then, Optional.of(timeout), timedOut));
  }

  /** The oldest watched socket became writable: runs its continuation, as the loop would. */
  void fire() {
    Watch w = watches.poll();
    if (w == null) {
      throw new AssertionError("nothing is watched");
    }
    w.then().run();
  }

  /** The oldest watch's timeout expired: runs its timeout continuation, as the loop would. */
  void expire() {
    Watch w = watches.poll();
    if (w == null) {
      throw new AssertionError("nothing is watched");
    }
    w.timedOut().run();
  }
}
