package io.ax.bridge.server;

import io.ax.bridge.seccomp.SeccompListener;
import io.ax.bridge.sys.Libc;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One registered app: its id, the seccomp listener its supervisor handed over and the
 * supervisor's connection, whose end means the app is gone, and the supervisor's uid, which
 * owns the app id. Thread-safe: final fields, a close that runs once ({@link AtomicBoolean}),
 * and a volatile close action.
 */
public final class AppSession {
  private final String appId;
  private final SeccompListener listener;
  private final int connectionFd;
  private final int supervisorPid;
  private final int uid;
  private final FdRange fdRange;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Runnable onClose = () -> {};

  AppSession(String appId, SeccompListener listener, int connectionFd, int supervisorPid, int uid) {
    this(appId, listener, connectionFd, supervisorPid, uid, new FdRange.Everywhere());
  }

  /** @param fdRange where the app's filter traps sendmsg (its launcher's {@code fdbase}) */
  AppSession(String appId, SeccompListener listener, int connectionFd, int supervisorPid, int uid, FdRange fdRange) {
    this.appId = Objects.requireNonNull(appId, "appId");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.connectionFd = connectionFd;
    this.supervisorPid = supervisorPid;
    this.uid = uid;
    this.fdRange = Objects.requireNonNull(fdRange, "fdRange");
  }

  /** Where the app's datagram sockets go: see {@link FdRange}. */
  FdRange fdRange() {
    return fdRange;
  }

  public String appId() {
    return appId;
  }

  public SeccompListener listener() {
    return listener;
  }

  int connectionFd() {
    return connectionFd;
  }

  public int supervisorPid() {
    return supervisorPid;
  }

  /** The uid of the supervisor that registered the app. */
  public int uid() {
    return uid;
  }

  /** What closes the listener: its receiver thread, which must be the one to do it. */
  void onClose(Runnable action) {
    this.onClose = action;
  }

  /** Ends the session once: the receiver stops (and closes the listener), the connection closes. */
  boolean close() {
    if (!closed.compareAndSet(false, true)) {
      return false;
    }
    onClose.run();
    Libc.close(connectionFd);
    return true;
  }

  @Override
  public String toString() {
    return "app " + appId;
  }
}
