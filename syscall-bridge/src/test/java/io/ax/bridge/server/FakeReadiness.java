package io.ax.bridge.server;

import java.util.ArrayDeque;
import java.util.Deque;

/** The event loop, played by the test: it says when a watched socket becomes writable. */
final class FakeReadiness implements Readiness {
  /** One watch: the fd and what to run once it is writable. */
  record Watch(int fd, Runnable then) {}

  final Deque<Watch> watches = new ArrayDeque<>();

  @Override
  public void onceWritable(int fd, Runnable then) {
    watches.add(new Watch(fd, then));
  }

  /** The oldest watched socket became writable: runs its continuation, as the loop would. */
  void fire() {
    Watch w = watches.poll();
    if (w == null) {
      throw new AssertionError("nothing is watched");
    }
    w.then().run();
  }
}
