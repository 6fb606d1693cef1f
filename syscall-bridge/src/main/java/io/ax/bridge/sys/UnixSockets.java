package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * AF_UNIX stream sockets with what the JDK's channels lack: SCM_RIGHTS (the launcher hands us
 * its seccomp listener) and SO_PEERCRED (who is registering). Blocking calls; callers bound them
 * with {@link #setReceiveTimeout}.
 */
public final class UnixSockets {
  private static final int SUN_PATH_MAX = 108;
  private static final int SO_RCVTIMEO = 20;
  /** A registration hands over one fd; room for a few more, which are closed. */
  private static final int MAX_FDS = 4;

  private UnixSockets() {}

  /** Who is at the other end (SO_PEERCRED). */
  public record PeerCredentials(int pid, int uid, int gid) {}

  /** What one receive gave: bytes (possibly 0 at end of stream) and fds. */
  public record Received(byte[] data, List<Integer> fds) {}

  /** Binds and listens at {@code path} (which must not exist). */
  public static int listen(String path, int backlog) throws SysCallException {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    if (p.length >= SUN_PATH_MAX) {
      throw new SysCallException("bind(" + path + "): path longer than " + (SUN_PATH_MAX - 1) + " bytes", Errno.EINVAL);
    }
    int fd = (int) Libc.check("socket(AF_UNIX)", Libc.socket(Sys.AF_UNIX, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0));
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment addr = arena.allocate(2 + SUN_PATH_MAX);
      addr.set(JAVA_SHORT, 0, (short) Sys.AF_UNIX);
      MemorySegment.copy(p, 0, addr, JAVA_BYTE, 2, p.length);
      Libc.check("bind(" + path + ")", Libc.bind(fd, addr, 2 + p.length + 1));
      Libc.check("listen(" + path + ")", Libc.listen(fd, backlog));
      return fd;
    } catch (SysCallException e) {
      Libc.close(fd);
      throw e;
    }
  }

  /** Accepts one connection (close-on-exec). */
  public static int accept(int listenFd) throws SysCallException {
    return (int) Libc.check("accept4", Libc.accept4(listenFd, MemorySegment.NULL, MemorySegment.NULL, Sys.SOCK_CLOEXEC));
  }

  public static PeerCredentials peerCredentials(int fd) throws SysCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment cred = arena.allocate(12);
      MemorySegment len = arena.allocate(JAVA_INT);
      len.set(JAVA_INT, 0, 12);
      Libc.check("getsockopt(SO_PEERCRED)", Libc.getsockopt(fd, Sys.SOL_SOCKET, Sys.SO_PEERCRED, cred, len));
      return new PeerCredentials(cred.get(JAVA_INT, 0), cred.get(JAVA_INT, 4), cred.get(JAVA_INT, 8));
    }
  }

  public static void setReceiveTimeout(int fd, int seconds) throws SysCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment tv = arena.allocate(16);
      tv.set(JAVA_LONG, 0, seconds);
      tv.set(JAVA_LONG, 8, 0);
      Libc.check("setsockopt(SO_RCVTIMEO)", Libc.setsockopt(fd, Sys.SOL_SOCKET, SO_RCVTIMEO, tv, 16));
    }
  }

  /**
   * Receives up to {@code max} bytes and any fds sent with them (taken close-on-exec).
   *
   * @throws SysCallException EAGAIN when the receive timeout passed
   */
  public static Received receive(int fd, int max) throws SysCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(max);
      MemorySegment iov = arena.allocate(16);
      iov.set(JAVA_LONG, 0, buf.address());
      iov.set(JAVA_LONG, 8, max);
      long controlLen = 16 + 4L * MAX_FDS; // CMSG_SPACE(MAX_FDS * sizeof(int)), 8-byte aligned
      MemorySegment control = arena.allocate(controlLen);
      MemorySegment msg = arena.allocate(56);
      msg.set(JAVA_LONG, 16, iov.address());
      msg.set(JAVA_LONG, 24, 1);
      msg.set(JAVA_LONG, 32, control.address());
      msg.set(JAVA_LONG, 40, controlLen);
      long n = Libc.recvmsg(fd, msg, Sys.MSG_CMSG_CLOEXEC);
      Libc.check("recvmsg", n);
      List<Integer> fds = new ArrayList<>();
      long usedControl = msg.get(JAVA_LONG, 40);
      if (usedControl >= 16) {
        long cmsgLen = control.get(JAVA_LONG, 0);
        int level = control.get(JAVA_INT, 8);
        int type = control.get(JAVA_INT, 12);
        if (level == Sys.SOL_SOCKET && type == Sys.SCM_RIGHTS && cmsgLen >= 16 && cmsgLen <= controlLen) {
          for (long off = 16; off + 4 <= cmsgLen; off += 4) {
            fds.add(control.get(JAVA_INT, off));
          }
        }
      }
      return new Received(buf.asSlice(0, n).toArray(JAVA_BYTE), fds);
    }
  }

  /** Writes all of {@code data} (no SIGPIPE when the peer has gone). */
  public static void writeAll(int fd, byte[] data) throws SysCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(Math.max(1, data.length));
      MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
      long off = 0;
      while (off < data.length) {
        long n = Libc.sendto(fd, buf.asSlice(off), data.length - off, Sys.MSG_NOSIGNAL, MemorySegment.NULL, 0);
        if (n == -Errno.EINTR) {
          continue;
        }
        off += Libc.check("send", n);
      }
    }
  }
}
