package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library calls the bridge makes, through FFM. Every call returns the kernel's convention:
 * a non-negative result, or {@code -errno} (errno is captured with the call, so nothing between
 * the call and its errno can overwrite it). {@link #check} turns a failure into a
 * {@link SysCallException} for the daemon's own calls; results of calls made on an app's behalf
 * go back to the app as they are. Thread-safe.
 */
public final class Libc {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
  // The errno capture stays per thread, unlike the bridge's other scratch (see Scratch and the
  // server's CallScope): these static calls come from every thread of the daemon (receivers, the
  // event loop, handshake threads, virtual threads for bind, listen and state writes, the core's
  // SockDiag), and the capture must belong to the calling thread for exactly one call. Passing a
  // segment through every signature would put FFM plumbing into every caller of two modules for
  // one 4-byte buffer, and an arena per call would tax every system call on the hot path. A
  // virtual thread gets its own (ThreadLocal is per virtual thread), freed with it.
  private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

  private static final MethodHandle SOCKET = fn("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle BIND = fn("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle LISTEN = fn("listen", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle CONNECT = fn("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle ACCEPT4 = fn("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
  private static final MethodHandle GETSOCKOPT = fn("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
  private static final MethodHandle SETSOCKOPT = fn("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle GETSOCKNAME = fn("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
  private static final MethodHandle GETPEERNAME = fn("getpeername", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
  private static final MethodHandle SENDTO = fn("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle SENDMSG = fn("sendmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle RECVMSG = fn("recvmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle READ = fn("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
  private static final MethodHandle WRITE = fn("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
  private static final MethodHandle CLOSE = fn("close", JAVA_INT, JAVA_INT);
  private static final MethodHandle POLL = fn("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
  private static final MethodHandle FSTAT = fn("fstat", JAVA_INT, JAVA_INT, ADDRESS);
  private static final MethodHandle EVENTFD = fn("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle EPOLL_CREATE1 = fn("epoll_create1", JAVA_INT, JAVA_INT);
  private static final MethodHandle EPOLL_CTL = fn("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
  private static final MethodHandle EPOLL_WAIT = fn("epoll_wait", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
  private static final MethodHandle PROCESS_VM_READV = fn("process_vm_readv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);
  private static final MethodHandle PROCESS_VM_WRITEV = fn("process_vm_writev", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);
  // Variadic: the third argument is passed the variadic way.
  private static final MethodHandle IOCTL = variadic("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
  private static final MethodHandle IOCTL_VALUE = variadic("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
  private static final MethodHandle FCNTL_INT = variadic("fcntl", 2, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle PRLIMIT = fn("prlimit", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
  private static final MethodHandle SYSCALL3 = variadic("syscall", 1, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

  // x86_64 system call numbers without a glibc wrapper on Debian 12.
  static final long SYS_PIDFD_OPEN = 434;
  static final long SYS_PIDFD_GETFD = 438;

  private Libc() {}

  private static MethodHandle fn(String name, java.lang.foreign.MemoryLayout ret, java.lang.foreign.MemoryLayout... args) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name)),
        FunctionDescriptor.of(ret, args),
        Linker.Option.captureCallState("errno"));
  }

  private static MethodHandle variadic(String name, int firstVariadic, java.lang.foreign.MemoryLayout ret, java.lang.foreign.MemoryLayout... args) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name)),
        FunctionDescriptor.of(ret, args),
        Linker.Option.firstVariadicArg(firstVariadic),
        Linker.Option.captureCallState("errno"));
  }

  private static long result(long r, MemorySegment state) {
    return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }

  /** Throws for a negative result of the daemon's own call. */
  public static long check(String call, long result) throws SysCallException {
    if (result < 0) {
      throw new SysCallException(call, (int) -result);
    }
    return result;
  }

  public static int socket(int domain, int type, int protocol) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) SOCKET.invokeExact(s, domain, type, protocol), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int bind(int fd, MemorySegment addr, int len) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) BIND.invokeExact(s, fd, addr, len), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int listen(int fd, int backlog) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) LISTEN.invokeExact(s, fd, backlog), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int connect(int fd, MemorySegment addr, int len) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) CONNECT.invokeExact(s, fd, addr, len), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int accept4(int fd, MemorySegment addr, MemorySegment len, int flags) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) ACCEPT4.invokeExact(s, fd, addr, len, flags), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment len) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) GETSOCKOPT.invokeExact(s, fd, level, name, value, len), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int setsockopt(int fd, int level, int name, MemorySegment value, int len) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) SETSOCKOPT.invokeExact(s, fd, level, name, value, len), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int getsockname(int fd, MemorySegment addr, MemorySegment len) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) GETSOCKNAME.invokeExact(s, fd, addr, len), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int getpeername(int fd, MemorySegment addr, MemorySegment len) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) GETPEERNAME.invokeExact(s, fd, addr, len), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static long sendto(int fd, MemorySegment buf, long len, int flags, MemorySegment addr, int addrLen) {
    MemorySegment s = STATE.get();
    try {
      return result((long) SENDTO.invokeExact(s, fd, buf, len, flags, addr, addrLen), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static long sendmsg(int fd, MemorySegment msg, int flags) {
    MemorySegment s = STATE.get();
    try {
      return result((long) SENDMSG.invokeExact(s, fd, msg, flags), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static long recvmsg(int fd, MemorySegment msg, int flags) {
    MemorySegment s = STATE.get();
    try {
      return result((long) RECVMSG.invokeExact(s, fd, msg, flags), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static long read(int fd, MemorySegment buf, long len) {
    MemorySegment s = STATE.get();
    try {
      return result((long) READ.invokeExact(s, fd, buf, len), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static long write(int fd, MemorySegment buf, long len) {
    MemorySegment s = STATE.get();
    try {
      return result((long) WRITE.invokeExact(s, fd, buf, len), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int close(int fd) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) CLOSE.invokeExact(s, fd), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code poll(2)} on {@code count} {@code struct pollfd}s (8 bytes each). */
  public static int poll(MemorySegment fds, long count, int timeoutMillis) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) POLL.invokeExact(s, fds, count, timeoutMillis), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int fstat(int fd, MemorySegment stat) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) FSTAT.invokeExact(s, fd, stat), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int eventfd(int initval, int flags) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) EVENTFD.invokeExact(s, initval, flags), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int epollCreate1(int flags) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) EPOLL_CREATE1.invokeExact(s, flags), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) EPOLL_CTL.invokeExact(s, epfd, op, fd, event), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) EPOLL_WAIT.invokeExact(s, epfd, events, max, timeoutMillis), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static long processVmReadv(int pid, MemorySegment local, long localCount, MemorySegment remote, long remoteCount) {
    MemorySegment s = STATE.get();
    try {
      return result((long) PROCESS_VM_READV.invokeExact(s, pid, local, localCount, remote, remoteCount, 0L), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static long processVmWritev(int pid, MemorySegment local, long localCount, MemorySegment remote, long remoteCount) {
    MemorySegment s = STATE.get();
    try {
      return result((long) PROCESS_VM_WRITEV.invokeExact(s, pid, local, localCount, remote, remoteCount, 0L), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int ioctl(int fd, long request, MemorySegment arg) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) IOCTL.invokeExact(s, fd, request, arg), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** An ioctl whose argument is a value, not a pointer. */
  public static int ioctlValue(int fd, long request, long value) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) IOCTL_VALUE.invokeExact(s, fd, request, value), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int fcntl(int fd, int cmd, int arg) {
    MemorySegment s = STATE.get();
    try {
      return (int) result((int) FCNTL_INT.invokeExact(s, fd, cmd, arg), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * The soft RLIMIT_NOFILE of process (or thread) {@code pid}, from {@code prlimit(2)}: the fd
   * numbers it may hold are below it. {@link Long#MAX_VALUE} for RLIM_INFINITY; {@code -errno}.
   */
  public static long openFilesSoftLimit(int pid) {
    MemorySegment s = STATE.get();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment old = arena.allocate(16, 8); // struct rlimit: rlim_cur, rlim_max (u64)
      int r = (int) result((int) PRLIMIT.invokeExact(s, pid, RLIMIT_NOFILE, MemorySegment.NULL, old), s);
      if (r < 0) {
        return r;
      }
      long soft = old.get(JAVA_LONG, 0);
      return soft < 0 ? Long.MAX_VALUE : soft; // RLIM_INFINITY is all ones
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private static final int RLIMIT_NOFILE = 7;

  /** {@code pidfd_open(2)}; {@code flags} may be {@link Sys#PIDFD_THREAD} to name a thread. */
  public static int pidfdOpen(int pid, int flags) {
    return (int) syscall3(SYS_PIDFD_OPEN, pid, flags, 0);
  }

  /** {@code pidfd_getfd(2)}: a copy of another process's fd, sharing its open file description. */
  public static int pidfdGetfd(int pidfd, int targetFd) {
    return (int) syscall3(SYS_PIDFD_GETFD, pidfd, targetFd, 0);
  }

  private static long syscall3(long nr, long a, long b, long c) {
    MemorySegment s = STATE.get();
    try {
      return result((long) SYSCALL3.invokeExact(s, nr, a, b, c), s);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }
}
