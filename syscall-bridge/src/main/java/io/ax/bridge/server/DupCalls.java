package io.ax.bridge.server;

import io.ax.bridge.BridgeObserver.Answer;
import io.ax.bridge.seccomp.Notification;
import io.ax.bridge.seccomp.Notifier;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code dup}, {@code dup2}, {@code dup3} and {@code fcntl(F_DUPFD, F_DUPFD_CLOEXEC)} of an fd in
 * the app's {@link FdRange datagram range} to a number that may be below it: the filter traps
 * them so that no datagram socket leaves the range, below which its sendmsg would run unchecked.
 *
 * <p>The daemon makes the copy itself, from its own copy of the fd ({@code pidfd_getfd}), never
 * CONTINUE: between a check and the kernel's dup another thread could put a datagram socket at
 * that number. The file checked is the file installed. A datagram socket is copied into the range
 * ({@link DatagramFds}; F_DUPFD's lower bound is below it, so it holds); a dup2/dup3 of one to a
 * number below the range is refused with EBADF ("newfd is out of the allowed range", dup2(2)).
 * Anything else is copied where the call asked, as the kernel would.
 *
 * <p>One approximation: F_DUPFD with a lower bound above 0 of a non-datagram fd takes the lowest
 * free number from the bound found by probing, then installs there, so a number another thread
 * of the app takes in between would be replaced (the race {@link DatagramFds} describes, here
 * at low numbers; it needs a program that F_DUPFDs a high fd to a bound while another thread
 * opens files). Stateless: runs on receivers, each call with its thread's {@link Kernel}.
 */
final class DupCalls {
  private static final Logger log = LoggerFactory.getLogger(DupCalls.class);

  /** Where a copy goes. */
  private sealed interface To {
    /** dup2, dup3: exactly this number. */
    record Exactly(int fd) implements To {}

    /** dup, F_DUPFD: the lowest free number from {@code min} up. */
    record LowestFrom(long min) implements To {}
  }

  /** Numbers probed for F_DUPFD's lowest free one: each probe is a system call. */
  static final int MAX_PROBES = 65_536;

  private DupCalls() {}

  static Answer dup(String appId, FdRange range, Notification n, Kernel kernel) {
    Notifier notifier = kernel.notifier();
    To to;
    Notifier.OnExec onExec = Notifier.OnExec.KEEP;
    int oldFd = n.intArg(0);
    switch (n.nr()) {
      case Sys.NR_DUP -> to = new To.LowestFrom(0);
      case Sys.NR_DUP2 -> to = new To.Exactly(n.intArg(1));
      case Sys.NR_DUP3 -> {
        int flags = n.intArg(2);
        if ((flags & ~Sys.O_CLOEXEC) != 0 || oldFd == n.intArg(1)) {
          notifier.fail(n.id(), Errno.EINVAL); // dup3(2)
          return Answer.ERRNO;
        }
        to = new To.Exactly(n.intArg(1));
        onExec = (flags & Sys.O_CLOEXEC) != 0 ? Notifier.OnExec.CLOSE : Notifier.OnExec.KEEP;
      }
      case Sys.NR_FCNTL -> {
        int cmd = n.intArg(1);
        if (cmd != Sys.F_DUPFD && cmd != Sys.F_DUPFD_CLOEXEC) {
          notifier.proceed(n.id()); // the filter sends no other command; no fd moves
          return Answer.CONTINUE;
        }
        to = new To.LowestFrom(n.arg(2) & 0xffff_ffffL); // the kernel takes it as unsigned int
        onExec = cmd == Sys.F_DUPFD_CLOEXEC ? Notifier.OnExec.CLOSE : Notifier.OnExec.KEEP;
      }
      default -> {
        notifier.proceed(n.id());
        return Answer.CONTINUE;
      }
    }
    int copy = kernel.target().copyFd(n.pid(), oldFd);
    if (copy == -Errno.ESRCH) {
      return Answer.GONE;
    }
    if (copy < 0) {
      // EBADF is the kernel's own answer for a bad fd; anything else: we cannot look, refuse.
      notifier.fail(n.id(), copy == -Errno.EBADF ? Errno.EBADF : Errno.EMFILE);
      return Answer.ERRNO;
    }
    try {
      int r = copyTo(appId, range, n, kernel, copy, to, onExec);
      if (r >= 0) {
        return Answer.VALUE;
      }
      if (r == -Errno.ENOENT || r == -Errno.ESRCH) {
        return Answer.GONE;
      }
      if (r != WAS_ANSWERED) {
        notifier.fail(n.id(), -r);
      }
      return Answer.ERRNO;
    } finally {
      kernel.sockets().close(copy);
    }
  }

  /** {@code copyTo}'s "answered already (with an errno)". */
  private static final int WAS_ANSWERED = Integer.MIN_VALUE;

  /** Installs {@code copy} and answers; the fd, or {@code -errno} when not installed. */
  private static int copyTo(String appId, FdRange range, Notification n, Kernel kernel, int copy, To to, Notifier.OnExec onExec) {
    Notifier notifier = kernel.notifier();
    if (range instanceof FdRange.From from && isDatagram(kernel, copy)) {
      return switch (to) {
        case To.Exactly e when from.contains(e.fd()) -> notifier.installAtAndAnswer(n.id(), copy, e.fd(), onExec);
        case To.Exactly e -> {
          log.info("[bridge] app {}: refused to copy a datagram socket to fd {}, below its range (from {}): EBADF", appId, e.fd(), from.base());
          notifier.fail(n.id(), Errno.EBADF);
          yield WAS_ANSWERED;
        }
        case To.LowestFrom l -> DatagramFds.place(from, kernel, n, copy, onExec);
      };
    }
    return switch (to) {
      case To.Exactly e -> notifier.installAtAndAnswer(n.id(), copy, e.fd(), onExec);
      // The kernel's own choice, atomically: exactly dup.
      case To.LowestFrom l when l.min() == 0 -> notifier.installAndAnswer(n.id(), copy, onExec);
      case To.LowestFrom l -> lowestFrom(kernel, n, copy, l.min(), onExec);
    };
  }

  private static int lowestFrom(Kernel kernel, Notification n, int copy, long min, Notifier.OnExec onExec) {
    long soft = kernel.target().openFilesLimit(n.pid());
    if (soft < 0) {
      return (int) soft;
    }
    if (min >= soft) {
      return -Errno.EINVAL; // fcntl(2): arg is at or above the limit
    }
    long end = Math.min(Math.min(soft, Integer.MAX_VALUE), min + MAX_PROBES);
    for (long fd = min; fd < end; fd++) {
      int held = kernel.target().copyFd(n.pid(), (int) fd);
      if (held >= 0) {
        kernel.sockets().close(held);
        continue;
      }
      if (held != -Errno.EBADF) {
        return held;
      }
      return kernel.notifier().installAtAndAnswer(n.id(), copy, (int) fd, onExec);
    }
    return -Errno.EMFILE;
  }

  /** An inet datagram socket: what must stay in the range. */
  private static boolean isDatagram(Kernel kernel, int copy) {
    long inode = kernel.sockets().inode(copy);
    if (inode < 0) {
      return false; // not a socket
    }
    Target.SocketInfo info = kernel.sockets().describe(copy, inode);
    return DatagramFds.needsRange(info.family(), info.type());
  }
}
