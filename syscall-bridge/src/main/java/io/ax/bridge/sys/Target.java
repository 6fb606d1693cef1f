package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Access to a trapped thread: its memory (process_vm_readv/writev, never /proc/PID/mem, which
 * would follow a pid that was reused) and its file descriptors (pidfd_getfd: our copy shares the
 * target's open file description, so what we do on it is what the target would have done).
 * Stateless: native memory is the calling thread's {@link Scratch} or a confined arena per call.
 */
public final class Target {
  private Target() {}

  /**
   * Reads {@code len} bytes at {@code address} in thread {@code tid}; {@code -errno} as EFAULT-like
   * failures. Small reads (sockaddrs, headers) go through the calling thread's {@code scratch}
   * instead of an arena per call.
   */
  public static byte[] read(Scratch scratchBuffers, int tid, long address, int len) throws SysCallException {
    if (len == 0) {
      return new byte[0];
    }
    if (len <= Scratch.SMALL_READ) {
      MemorySegment buf = scratchBuffers.readBytes().asSlice(0, len);
      MemorySegment local = scratchBuffers.localIovec();
      MemorySegment remote = scratchBuffers.remoteIovec();
      IovecStruct.write(local, buf);
      IovecStruct.writeRemote(remote, address, len);
      long n = Libc.processVmReadv(tid, local, 1, remote, 1);
      if (n != len) {
        throw new SysCallException("process_vm_readv", n < 0 ? (int) -n : Errno.EFAULT);
      }
      return buf.toArray(JAVA_BYTE);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(len);
      MemorySegment local = IovecStruct.allocate(arena, buf);
      MemorySegment remote = arena.allocate(IovecStruct.LAYOUT);
      IovecStruct.writeRemote(remote, address, len);
      long n = Libc.processVmReadv(tid, local, 1, remote, 1);
      if (n < 0) {
        throw new SysCallException("process_vm_readv", (int) -n);
      }
      if (n != len) {
        // A partial read: the range crosses into unmapped memory.
        throw new SysCallException("process_vm_readv", Errno.EFAULT);
      }
      return buf.toArray(JAVA_BYTE);
    }
  }

  /** Writes {@code data} at {@code address} in thread {@code tid}. */
  public static void write(int tid, long address, byte[] data) throws SysCallException {
    if (data.length == 0) {
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(data.length);
      MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
      MemorySegment local = IovecStruct.allocate(arena, buf);
      MemorySegment remote = arena.allocate(IovecStruct.LAYOUT);
      IovecStruct.writeRemote(remote, address, data.length);
      long n = Libc.processVmWritev(tid, local, 1, remote, 1);
      if (n != data.length) {
        throw new SysCallException("process_vm_writev", n < 0 ? (int) -n : Errno.EFAULT);
      }
    }
  }

  /** Reads a 32-bit int (e.g. a {@code socklen_t}). */
  public static int readInt(Scratch scratch, int tid, long address) throws SysCallException {
    byte[] b = read(scratch, tid, address, 4);
    return (b[0] & 0xff) | ((b[1] & 0xff) << 8) | ((b[2] & 0xff) << 16) | ((b[3] & 0xff) << 24);
  }

  public static void writeInt(int tid, long address, int value) throws SysCallException {
    write(tid, address, new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)});
  }

  /**
   * Our own copy of the target thread's fd (close it when done).
   *
   * @return the fd, or {@code -errno}: EBADF for a bad fd number, ESRCH when the thread is gone
   */
  public static int copyFd(int tid, int targetFd) {
    int pidfd = Libc.pidfdOpen(tid, Sys.PIDFD_THREAD);
    if (pidfd < 0) {
      return pidfd;
    }
    try {
      return Libc.pidfdGetfd(pidfd, targetFd);
    } finally {
      Libc.close(pidfd);
    }
  }

  /**
   * {@link #copyFd} through a cache of pidfds, for the one thread that owns {@code cache}. A
   * pidfd names one thread for good, so a reused tid cannot fool it: the stale pidfd answers
   * ESRCH and is replaced.
   */
  public static int copyFd(PidfdCache cache, int tid, int targetFd) {
    int pidfd = cache.pidfd(tid);
    if (pidfd < 0) {
      return pidfd;
    }
    int fd = Libc.pidfdGetfd(pidfd, targetFd);
    if (fd == -Errno.ESRCH) {
      cache.forget(tid);
      pidfd = cache.pidfd(tid);
      return pidfd < 0 ? pidfd : Libc.pidfdGetfd(pidfd, targetFd);
    }
    return fd;
  }

  /** What a socket fd is: family, type and the inode that names it (fd numbers are reused). */
  public record SocketInfo(int family, int type, long inode) {}

  /** Describes our fd, or returns {@code -errno} as {@code family}: ENOTSOCK for a non-socket. */
  public static SocketInfo socketInfo(Scratch scratch, int fd) {
    long inode = socketInode(scratch, fd);
    if (inode < 0) {
      return new SocketInfo((int) inode, 0, 0);
    }
    return socketInfo(scratch, fd, inode);
  }

  /** Describes our fd, a socket whose inode is known: asks the kernel for its family and type. */
  public static SocketInfo socketInfo(Scratch scratch, int fd, long inode) {
    int family = intOpt(scratch, fd, Sys.SO_DOMAIN);
    int type = intOpt(scratch, fd, Sys.SO_TYPE);
    return new SocketInfo(family, type, inode);
  }

  /**
   * The inode of our socket fd, or {@code -errno}: ENOTSOCK for a non-socket. fstat(2) fills the
   * calling thread's {@code scratch}.
   */
  public static long socketInode(Scratch scratch, int fd) {
    MemorySegment st = scratch.stat();
    int r = Libc.fstat(fd, st);
    if (r < 0) {
      return r;
    }
    if ((StatStruct.mode(st) & StatStruct.S_IFMT) != StatStruct.S_IFSOCK) {
      return -Errno.ENOTSOCK;
    }
    return StatStruct.inode(st);
  }

  /** An int socket option of SOL_SOCKET, or {@code -errno}. */
  public static int intOpt(Scratch scratch, int fd, int name) {
    return intOpt(scratch, fd, Sys.SOL_SOCKET, name);
  }

  /** An int socket option of {@code level} (SOL_SOCKET, IPPROTO_IPV6...), or {@code -errno}. */
  public static int intOpt(Scratch scratch, int fd, int level, int name) {
    MemorySegment v = scratch.option();
    MemorySegment len = scratch.optionLength();
    len.set(JAVA_INT, 0, 4);
    int r = Libc.getsockopt(fd, level, name, v, len);
    return r < 0 ? r : v.get(JAVA_INT, 0);
  }

  /** A 64-bit socket option of {@code level} (SO_COOKIE), or {@code -errno}. */
  public static long longOpt(Scratch scratch, int fd, int level, int name) {
    MemorySegment v = scratch.option();
    MemorySegment len = scratch.optionLength();
    len.set(JAVA_INT, 0, 8);
    int r = Libc.getsockopt(fd, level, name, v, len);
    return r < 0 ? r : v.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0);
  }

  /** Sets an int socket option of SOL_SOCKET; 0 or {@code -errno}. */
  public static int setIntOpt(Scratch scratch, int fd, int name, int value) {
    MemorySegment v = scratch.option();
    v.set(JAVA_INT, 0, value);
    return Libc.setsockopt(fd, Sys.SOL_SOCKET, name, v, 4);
  }
}
