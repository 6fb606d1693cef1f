package io.ax.bridge.server;

import io.ax.bridge.seccomp.Notification;
import io.ax.bridge.seccomp.Notifier;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;

/**
 * Installs a socket in an app at a free fd number of its {@link FdRange.From datagram range}, and
 * answers the trapped call with that number ({@code SECCOMP_ADDFD_FLAG_SETFD}). The numbers
 * tried, in order:
 *
 * <ol>
 *   <li>from just below {@code min(soft RLIMIT_NOFILE, FD_SETSIZE)} down to the base: below
 *       FD_SETSIZE because select(2) cannot take a higher fd, and a program that would never hold
 *       1024 fds natively may well select on its sockets; from the top, away from the numbers the
 *       kernel hands out (lowest free first);
 *   <li>then up from FD_SETSIZE while the soft limit allows (an app holding more than the range's
 *       datagram sockets), at most {@link #MAX_PROBES_ABOVE_FD_SETSIZE} numbers.
 * </ol>
 *
 * None free: EMFILE, as the kernel answers a process out of fds; never a number below the range,
 * where the app's sends would not be trapped. A number is free when {@code pidfd_getfd} of it
 * answers EBADF.
 *
 * <p>Thread-safety, and what it relies on: SETFD replaces whatever holds the number, so a free
 * number must stay free from the probe to the install.
 *
 * <ul>
 *   <li>All of an app's placements run on its one receiver thread ({@link AppReceiver}; socket()
 *       and the dup calls are quick calls, never handed to another thread), so two placements
 *       never pick the same number.
 *   <li>The app's own threads get numbers from the kernel, lowest free first: they reach the range
 *       only once every number below it is taken, and the top of the range last. A number the app
 *       takes between our probe and our install (an app holding nearly all its numbers while it
 *       opens a datagram socket) would be replaced: the one race left, and a narrow one.
 *   <li>An app that dup2()s onto a number in the range that it never got may close our socket
 *       there, as natively it would close whatever the number held.
 * </ul>
 *
 * Stateless: each call with its thread's {@link Kernel}.
 */
final class DatagramFds {
  /** Numbers probed above FD_SETSIZE before giving up: each probe is a system call. */
  static final int MAX_PROBES_ABOVE_FD_SETSIZE = 4096;

  /** A probe's "held": no errno is this negative. */
  private static final int TAKEN = Integer.MIN_VALUE;

  private DatagramFds() {}

  /** Only a datagram socket's sends are the daemon's to decide (see {@link SendCalls}). */
  static boolean needsRange(int family, int type) {
    return (family == Sys.AF_INET || family == Sys.AF_INET6) && type == Sys.SOCK_DGRAM;
  }

  /**
   * Installs our {@code ours} at a free number of {@code range} in the target of {@code n} and
   * answers the call with it.
   *
   * @return the target's fd, or {@code -errno}: EMFILE when the range is full (nothing was
   *     answered then), ENOENT or ESRCH when nobody waits any more
   */
  static int place(FdRange.From range, Kernel kernel, Notification n, int ours, Notifier.OnExec onExec) {
    long soft = kernel.target().openFilesLimit(n.pid());
    if (soft < 0) {
      return (int) soft;
    }
    int top = (int) Math.min(soft, Sys.FD_SETSIZE);
    for (int fd = top - 1; fd >= range.base(); fd--) {
      int r = tryAt(kernel, n, ours, fd, onExec);
      if (r != TAKEN) {
        return r;
      }
    }
    long end = Math.min(soft, (long) Sys.FD_SETSIZE + MAX_PROBES_ABOVE_FD_SETSIZE);
    for (int fd = Math.max(range.base(), Sys.FD_SETSIZE); fd < end; fd++) {
      int r = tryAt(kernel, n, ours, fd, onExec);
      if (r != TAKEN) {
        return r;
      }
    }
    return -Errno.EMFILE;
  }

  /** Installs at {@code fd} if it is free; {@link #TAKEN} when it is not. */
  private static int tryAt(Kernel kernel, Notification n, int ours, int fd, Notifier.OnExec onExec) {
    int copy = kernel.target().copyFd(n.pid(), fd);
    if (copy >= 0) {
      kernel.sockets().close(copy);
      return TAKEN;
    }
    if (copy != -Errno.EBADF) {
      return copy; // ESRCH: the thread is gone; anything else: we cannot look, so do not install
    }
    return kernel.notifier().installAtAndAnswer(n.id(), ours, fd, onExec);
  }
}
