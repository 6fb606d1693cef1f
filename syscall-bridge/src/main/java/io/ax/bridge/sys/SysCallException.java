package io.ax.bridge.sys;

/**
 * A system call the daemon made for itself failed. Carries the errno so callers can tell the
 * expected failures (ENOENT: the target was interrupted or exited) from real ones. Cheap: no
 * stack trace, since some of these are part of normal operation.
 */
public final class SysCallException extends Exception {
  private final String call;
  private final int errno;

  public SysCallException(String call, int errno) {
    super(call + ": " + Errno.describe(errno), null, false, false);
    this.call = call;
    this.errno = errno;
  }

  public String call() {
    return call;
  }

  public int errno() {
    return errno;
  }
}
