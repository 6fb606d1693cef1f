package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * AF_UNIX stream sockets with what the JDK's channels lack: SCM_RIGHTS (the launcher hands us
 * its seccomp listener) and SO_PEERCRED and SO_PEERGROUPS (who is registering). Blocking calls; callers bound them
 * with {@link #setReceiveTimeout}.
 */
public final class UnixSockets {
  private static final int SUN_PATH_MAX = SockaddrUnStruct.PATH_SIZE;
  private static final int SO_RCVTIMEO = 20;
  private static final int SO_PEERGROUPS = 59;
  private static final int ERANGE = 34;
  /** A registration hands over one fd; room for a few more, which are closed. */
  private static final int MAX_FDS = 4;

  private UnixSockets() {}

  /** Who is at the other end (SO_PEERCRED). */
  public record PeerCredentials(int pid, int uid, int gid) {}

  // NGROUPS_MAX on Linux: the most supplementary groups a process can have.
  private static final int MAX_GROUPS = 65536;

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
      MemorySegment addr = SockaddrUnStruct.allocate(arena, p);
      Libc.check("bind(" + path + ")", Libc.bind(fd, addr, SockaddrUnStruct.length(p.length)));
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
      MemorySegment cred = arena.allocate(UcredStruct.LAYOUT);
      MemorySegment len = arena.allocateFrom(JAVA_INT, UcredStruct.SIZE);
      Libc.check("getsockopt(SO_PEERCRED)", Libc.getsockopt(fd, Sys.SOL_SOCKET, Sys.SO_PEERCRED, cred, len));
      return new PeerCredentials(UcredStruct.pid(cred), UcredStruct.uid(cred), UcredStruct.gid(cred));
    }
  }

  /**
   * The peer's supplementary groups when it connected (SO_PEERGROUPS, socket(7), Linux 4.13):
   * SO_PEERCRED has the primary group only.
   */
  public static List<Integer> peerGroups(int fd) throws SysCallException {
    try (Arena arena = Arena.ofConfined()) {
      // Most users have a handful of groups; ERANGE tells the size needed, then ask once more.
      int room = 64;
      while (true) {
        MemorySegment groups = arena.allocate(JAVA_INT, room);
        MemorySegment len = arena.allocateFrom(JAVA_INT, (int) groups.byteSize());
        int rc = Libc.getsockopt(fd, Sys.SOL_SOCKET, SO_PEERGROUPS, groups, len);
        int needed = len.get(JAVA_INT, 0) / (int) JAVA_INT.byteSize();
        if (rc == -ERANGE && needed > room && needed <= MAX_GROUPS) {
          room = needed;
          continue;
        }
        Libc.check("getsockopt(SO_PEERGROUPS)", rc);
        List<Integer> out = new ArrayList<>(needed);
        for (int i = 0; i < needed; i++) {
          out.add(groups.getAtIndex(JAVA_INT, i));
        }
        return List.copyOf(out);
      }
    }
  }

  public static void setReceiveTimeout(int fd, int seconds) throws SysCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment tv = TimevalStruct.allocate(arena, seconds, 0);
      Libc.check("setsockopt(SO_RCVTIMEO)", Libc.setsockopt(fd, Sys.SOL_SOCKET, SO_RCVTIMEO, tv, TimevalStruct.SIZE));
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
      MemorySegment control = arena.allocate(CmsgHdrStruct.space(JAVA_INT.byteSize() * MAX_FDS), CmsgHdrStruct.LAYOUT.byteAlignment());
      MemorySegment msg = MsgHdrStruct.allocate(arena);
      MsgHdrStruct.setIov(msg, IovecStruct.allocate(arena, buf), 1);
      MsgHdrStruct.setControl(msg, control);
      long n = Libc.recvmsg(fd, msg, Sys.MSG_CMSG_CLOEXEC);
      Libc.check("recvmsg", n);
      return new Received(buf.asSlice(0, n).toArray(JAVA_BYTE), rights(control, MsgHdrStruct.controlLength(msg)));
    }
  }

  /**
   * The fds of an SCM_RIGHTS message first in {@code control}, of which the kernel used
   * {@code used} bytes; none for anything else or a length that does not fit the buffer.
   */
  private static List<Integer> rights(MemorySegment control, long used) {
    List<Integer> fds = new ArrayList<>();
    if (used >= CmsgHdrStruct.SIZE) {
      long cmsgLen = CmsgHdrStruct.length(control);
      if (CmsgHdrStruct.level(control) == Sys.SOL_SOCKET && CmsgHdrStruct.type(control) == Sys.SCM_RIGHTS
          && cmsgLen >= CmsgHdrStruct.len(0) && cmsgLen <= control.byteSize()) {
        MemorySegment data = CmsgHdrStruct.data(control, cmsgLen);
        for (long off = 0; off + JAVA_INT.byteSize() <= data.byteSize(); off += JAVA_INT.byteSize()) {
          fds.add(data.get(JAVA_INT, off)); // an int[] of fds
        }
      }
    }
    return fds;
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
