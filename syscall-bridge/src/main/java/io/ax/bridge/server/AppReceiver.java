package io.ax.bridge.server;

import static io.ax.bridge.sys.PollFdStruct.POLLERR;
import static io.ax.bridge.sys.PollFdStruct.POLLHUP;
import static io.ax.bridge.sys.PollFdStruct.POLLIN;
import static io.ax.bridge.sys.PollFdStruct.POLLNVAL;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.ax.bridge.seccomp.Notification;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Libc;
import io.ax.bridge.sys.PollFdStruct;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.SysCallException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread per app, waiting in poll(2) on the app's seccomp listener and handling
 * each call as it comes. Not the shared epoll loop: with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP the
 * kernel wakes a poll(2) waiter on the trapping thread's CPU, a plain switch instead of a
 * cross-CPU wake-up, but epoll drops that hint. The thread owns the listener fd and its
 * {@link CallScope} (pidfd cache and scratch memory, confined to it); {@link #stop} wakes it
 * through an eventfd, and it closes the listener and the scope on its way out, so no fd is
 * closed under a thread still polling it. The poll array lives in an arena confined to that
 * thread and closed when it exits.
 */
final class AppReceiver implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(AppReceiver.class);
  private static final int LISTENER = 0;
  private static final int STOP = 1;

  private final AppSession session;
  private final Dispatcher dispatcher;
  private final int stopFd;
  private boolean exited; // guarded by this: stopFd is closed once the thread has exited

  AppReceiver(AppSession session, Dispatcher dispatcher) throws SysCallException {
    this.session = session;
    this.dispatcher = dispatcher;
    this.stopFd = (int) Libc.check("eventfd", Libc.eventfd(0, Sys.EFD_CLOEXEC | Sys.EFD_NONBLOCK));
  }

  void start() {
    Thread.ofPlatform().name("app-" + session.appId()).daemon(true).start(this);
  }

  /** Releases the eventfd of a receiver that was never started (its handshake failed). */
  synchronized void discard() {
    if (!exited) {
      exited = true;
      Libc.close(stopFd);
    }
  }

  /** Asks the thread to finish; it closes the listener. Harmless twice, or after it exited. */
  synchronized void stop() {
    if (exited) {
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment one = arena.allocate(JAVA_LONG);
      one.set(JAVA_LONG, 0, 1L);
      Libc.write(stopFd, one, 8);
    }
  }

  @Override
  public void run() {
    CallScope scope = CallScope.open(session.listener(), CallScope.Pidfds.CACHED);
    int listenerFd = session.listener().fd();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment fds = PollFdStruct.allocate(arena, 2);
      while (true) {
        PollFdStruct.set(fds, LISTENER, listenerFd, POLLIN);
        PollFdStruct.set(fds, STOP, stopFd, POLLIN);
        int n = Libc.poll(fds, 2, -1);
        if (n < 0) {
          if (n == -Errno.EINTR) {
            continue;
          }
          log.error("[bridge] {}: poll failed: {}", session, Errno.describe(-n));
          return;
        }
        if (PollFdStruct.revents(fds, STOP) != 0) {
          return; // stopped
        }
        short revents = PollFdStruct.revents(fds, LISTENER);
        if ((revents & POLLIN) != 0) {
          if (!receiveOne(scope.kernel())) {
            return;
          }
        } else if ((revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
          return; // every process of the app has exited; the supervisor's hang-up ends the session
        }
      }
    } finally {
      scope.close();
      session.listener().close();
      synchronized (this) {
        exited = true;
        Libc.close(stopFd);
      }
    }
  }

  /** Receives and handles one call; false when the listener is broken (stop, do not spin). */
  private boolean receiveOne(Kernel kernel) {
    Notification n;
    try {
      n = session.listener().receive();
    } catch (SysCallException e) {
      if (e.errno() == Errno.ENOENT || e.errno() == Errno.EINTR) {
        return true; // the caller was interrupted or exited: normal
      }
      log.error("[bridge] {}: the seccomp listener fails ({}); this app's calls are no longer answered", session, e.getMessage());
      return false;
    }
    try {
      dispatcher.dispatch(session, n, kernel);
    } catch (RuntimeException e) {
      // One bad call must not stop the app's other calls.
      log.error("[bridge] {}: handling a call failed", session, e);
    }
    return true;
  }
}
