package io.ax.bridge.server;

import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.SysCallException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where a connect in progress waits for its socket to become writable (connected or failed)
 * without holding up any thread. The seam between {@link ConnectCalls} and the {@link
 * EventLoop}, so that tests can decide when the kernel answers and when a timeout expires.
 *
 * <p>Contract: {@code then} (or {@code timedOut}) runs once, on the loop's thread, after the fd
 * is no longer watched; the fd must stay open until then. Thread-safe.
 */
interface Readiness {

  /** Calls {@code then} once {@code fd} is writable; throws when the fd cannot be watched. */
  void onceWritable(int fd, Runnable then) throws SysCallException;

  /**
   * Calls {@code then} once {@code fd} is writable, or {@code timedOut} when it is not within
   * {@code timeout}: exactly one of them runs, once.
   */
  void onceWritable(int fd, Duration timeout, Runnable then, Runnable timedOut) throws SysCallException;

  /** One-shot EPOLLOUT on the bridge's event loop, timed by the loop's own timers. */
  static Readiness on(EventLoop loop) {
    return new Readiness() {
      @Override
      public void onceWritable(int fd, Runnable then) throws SysCallException {
        long token = loop.nextToken(); // known before the handler can run
        loop.add(token, fd, Sys.EPOLLOUT | Sys.EPOLLONESHOT, events -> {
          loop.remove(fd, token);
          then.run();
        });
      }

      @Override
      public void onceWritable(int fd, Duration timeout, Runnable then, Runnable timedOut) throws SysCallException {
        long token = loop.nextToken();
        // Both run on the loop, but the timer is set from the caller's thread after the watch:
        // whichever comes first wins, and the other finds the flag set.
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<EventLoop.Timer> timer = new AtomicReference<>();
        loop.add(token, fd, Sys.EPOLLOUT | Sys.EPOLLONESHOT, events -> {
          if (done.compareAndSet(false, true)) {
            EventLoop.Timer t = timer.get();
            if (t != null) {
              t.cancel();
            }
            loop.remove(fd, token);
            then.run();
          }
        });
        timer.set(loop.schedule(timeout, () -> {
          if (done.compareAndSet(false, true)) {
            loop.remove(fd, token);
            timedOut.run();
          }
        }));
      }
    };
  }
}
