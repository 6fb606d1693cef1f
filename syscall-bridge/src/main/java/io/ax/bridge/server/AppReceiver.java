package io.ax.bridge.server;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.ax.bridge.seccomp.Notification;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Libc;
import io.ax.bridge.sys.PidfdCache;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.SysCallException;
import io.ax.bridge.sys.Target;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.IntBinaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread per app, waiting on the app's seccomp listener and handling each call as
 * it comes. Not the shared epoll loop: with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP the kernel wakes
 * the waiter on the trapping thread's CPU, a plain switch instead of a cross-CPU wake-up, but
 * epoll drops that hint. The thread owns the listener fd and its pidfd cache, and closes the
 * listener on its way out, so no fd is closed under a thread still waiting on it.
 *
 * <p>How it waits depends on the wake-up the listener got:
 *
 * <ul>
 *   <li>{@link BridgeServer.WakeUp#SYNC}: blocked in SECCOMP_IOCTL_NOTIF_RECV itself. Since
 *       Linux 6.6 (the release of SYNC_WAKE_UP) a blocked receive waits on the queue poll(2)
 *       waits on, with the same same-CPU wake-up, and ends (ENOENT, then POLLHUP) once every
 *       process of the app has exited. Against poll(2) then a receive, that is one system call
 *       fewer on each side of every call: the wake-up lands in the receive, and after an
 *       answer the thread sleeps at once, which is when the app gets our CPU back. Nothing can
 *       wake a receive early, so {@link #stop} only marks the thread: it answers the call it
 *       receives next (an unanswered call would hang its thread) and ends, or ends when the
 *       app does.
 *   <li>{@link BridgeServer.WakeUp#DEFAULT}: in poll(2) on the listener and an eventfd, which
 *       {@link #stop} writes to end the thread at once. Older kernels need this: there a
 *       blocked receive outlives the app.
 * </ul>
 */
final class AppReceiver implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(AppReceiver.class);
  private static final short POLLIN = 0x1;
  private static final short POLLERR = 0x8;
  private static final short POLLHUP = 0x10;
  private static final short POLLNVAL = 0x20;

  private final AppSession session;
  private final Dispatcher dispatcher;
  private final BridgeServer.WakeUp wakeUp;
  private final int stopFd;
  private boolean exited; // guarded by this: stopFd is closed once the thread has exited
  private volatile boolean stopping;

  /** @param wakeUp the wake-up the app's listener has: it decides how the thread waits */
  AppReceiver(AppSession session, Dispatcher dispatcher, BridgeServer.WakeUp wakeUp) throws SysCallException {
    this.session = session;
    this.dispatcher = dispatcher;
    this.wakeUp = wakeUp;
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

  /**
   * Asks the thread to finish; it closes the listener. Harmless twice, or after it exited. A
   * thread blocked in a receive finishes after its next call, or when the app exits.
   */
  synchronized void stop() {
    stopping = true;
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
    PidfdCache pidfds = new PidfdCache();
    IntBinaryOperator copier = (tid, fd) -> Target.copyFd(pidfds, tid, fd);
    MemorySegment fds = Arena.ofAuto().allocate(16);
    int listenerFd = session.listener().fd();
    try {
      if (wakeUp == BridgeServer.WakeUp.SYNC) {
        receiveLoop(copier, fds, listenerFd);
        return;
      }
      while (true) {
        fds.set(JAVA_INT, 0, listenerFd);
        fds.set(JAVA_SHORT, 4, POLLIN);
        fds.set(JAVA_SHORT, 6, (short) 0);
        fds.set(JAVA_INT, 8, stopFd);
        fds.set(JAVA_SHORT, 12, POLLIN);
        fds.set(JAVA_SHORT, 14, (short) 0);
        int n = Libc.poll(fds, 2, -1);
        if (n < 0) {
          if (n == -Errno.EINTR) {
            continue;
          }
          log.error("[bridge] {}: poll failed: {}", session, Errno.describe(-n));
          return;
        }
        if (fds.get(JAVA_SHORT, 14) != 0) {
          return; // stopped
        }
        short revents = fds.get(JAVA_SHORT, 6);
        if ((revents & POLLIN) != 0) {
          if (!receiveOne(copier)) {
            return;
          }
        } else if ((revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
          return; // every process of the app has exited; the supervisor's hang-up ends the session
        }
      }
    } finally {
      pidfds.close();
      session.listener().close();
      synchronized (this) {
        exited = true;
        Libc.close(stopFd);
      }
    }
  }

  /** Waits in the receive itself (see the class comment) until stopped or the app has exited. */
  private void receiveLoop(IntBinaryOperator copier, MemorySegment fds, int listenerFd) {
    while (!stopping) {
      Notification n;
      try {
        n = session.listener().receive();
      } catch (SysCallException e) {
        if (e.errno() != Errno.ENOENT && e.errno() != Errno.EINTR) {
          log.error("[bridge] {}: the seccomp listener fails ({}); this app's calls are no longer answered", session, e.getMessage());
          return;
        }
        // A caller that was interrupted or exited, or an app with no process left: only poll(2)
        // tells them apart (POLLHUP), and the receive would fail at once again in the second case.
        fds.set(JAVA_INT, 0, listenerFd);
        fds.set(JAVA_SHORT, 4, POLLIN);
        fds.set(JAVA_SHORT, 6, (short) 0);
        if (Libc.poll(fds, 1, 0) > 0 && (fds.get(JAVA_SHORT, 6) & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
          return; // every process of the app has exited; the supervisor's hang-up ends the session
        }
        continue;
      }
      try {
        dispatcher.dispatch(session, n, copier);
      } catch (RuntimeException e) {
        // One bad call must not stop the app's other calls.
        log.error("[bridge] {}: handling a call failed", session, e);
      }
    }
  }

  /** Receives and handles one call; false when the listener is broken (stop, do not spin). */
  private boolean receiveOne(IntBinaryOperator copier) {
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
      dispatcher.dispatch(session, n, copier);
    } catch (RuntimeException e) {
      // One bad call must not stop the app's other calls.
      log.error("[bridge] {}: handling a call failed", session, e);
    }
    return true;
  }
}
