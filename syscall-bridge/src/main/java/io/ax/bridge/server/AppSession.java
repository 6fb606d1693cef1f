package io.ax.bridge.server;

import io.ax.bridge.seccomp.SeccompListener;
import io.ax.bridge.sys.Libc;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One registered app: its id, the seccomp listener its supervisor handed over and the
 * supervisor's connection, whose end means the app is gone. {@code root} is whether the
 * supervisor runs as root: only then may the app have raw sockets.
 */
public final class AppSession {
  private final String appId;
  private final SeccompListener listener;
  private final int connectionFd;
  private final int supervisorPid;
  private final boolean root;
  private final AtomicBoolean closed = new AtomicBoolean();

  AppSession(String appId, SeccompListener listener, int connectionFd, int supervisorPid, boolean root) {
    this.appId = Objects.requireNonNull(appId, "appId");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.connectionFd = connectionFd;
    this.supervisorPid = supervisorPid;
    this.root = root;
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

  public boolean root() {
    return root;
  }

  /** Closes the listener and the connection, once. */
  boolean close() {
    if (!closed.compareAndSet(false, true)) {
      return false;
    }
    listener.close();
    Libc.close(connectionFd);
    return true;
  }

  @Override
  public String toString() {
    return "app " + appId;
  }
}
