package io.ax.bridge.server;

import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.SysCallException;

/**
 * Where a connect in progress waits for its socket to become writable (connected or failed)
 * without holding up any thread. The seam between {@link ConnectCalls} and the {@link
 * EventLoop}, so that tests can decide when the kernel answers.
 *
 * <p>Contract: {@code then} runs once, on the loop's thread, after the fd is no longer watched;
 * the fd must stay open until then. Thread-safe.
 */
@FunctionalInterface
interface Readiness {

  /** Calls {@code then} once {@code fd} is writable; throws when the fd cannot be watched. */
  void onceWritable(int fd, Runnable then) throws SysCallException;

  /** One-shot EPOLLOUT on the bridge's event loop. */
  static Readiness on(EventLoop loop) {
    return (fd, then) -> {
      long token = loop.nextToken(); // known before the handler can run
      loop.add(token, fd, Sys.EPOLLOUT | Sys.EPOLLONESHOT, events -> {
        loop.remove(fd, token);
        then.run();
      });
    };
  }
}
