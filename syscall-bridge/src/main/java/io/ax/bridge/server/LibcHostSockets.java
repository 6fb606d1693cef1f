package io.ax.bridge.server;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.ax.bridge.sys.IovecStruct;
import io.ax.bridge.sys.Libc;
import io.ax.bridge.sys.MsgHdrStruct;
import io.ax.bridge.sys.Scratch;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.Target;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddrCodec;

/**
 * The real {@link HostSockets}: {@link Libc} and {@link Target} on the daemon's fds. The hot
 * calls (connect, socket options) use the owning thread's {@link Scratch}; the rare ones
 * allocate per call. Confined to the thread that owns the scratch.
 */
final class LibcHostSockets implements HostSockets {
  private final Scratch scratch;

  LibcHostSockets(Scratch scratch) {
    this.scratch = scratch;
  }

  @Override
  public int socket(int domain, int type, int protocol) {
    return Libc.socket(domain, type, protocol);
  }

  @Override
  public long inode(int fd) {
    return Target.socketInode(scratch, fd);
  }

  @Override
  public Target.SocketInfo describe(int fd, long inode) {
    return Target.socketInfo(scratch, fd, inode);
  }

  @Override
  public int connect(int fd, byte[] sockaddr) {
    MemorySegment a = scratch.sockaddr();
    MemorySegment.copy(sockaddr, 0, a, JAVA_BYTE, 0, sockaddr.length);
    return Libc.connect(fd, a, sockaddr.length);
  }

  @Override
  public int bind(int fd, byte[] sockaddr) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocateFrom(JAVA_BYTE, sockaddr);
      return Libc.bind(fd, a, sockaddr.length);
    }
  }

  @Override
  public int listen(int fd, int backlog) {
    return Libc.listen(fd, backlog);
  }

  @Override
  public int fileFlags(int fd) {
    return Libc.fcntl(fd, Sys.F_GETFL, 0);
  }

  @Override
  public int setFileFlags(int fd, int flags) {
    return Libc.fcntl(fd, Sys.F_SETFL, flags);
  }

  @Override
  public int intOption(int fd, int name) {
    return Target.intOpt(scratch, fd, name);
  }

  @Override
  public long cookie(int fd) {
    return Target.longOpt(scratch, fd, Sys.SOL_SOCKET, Sys.SO_COOKIE);
  }

  @Override
  public int ipv6Only(int fd) {
    return Target.intOpt(scratch, fd, Sys.IPPROTO_IPV6, Sys.IPV6_V6ONLY);
  }

  @Override
  public int setIntOption(int fd, int name, int value) {
    return Target.setIntOpt(scratch, fd, name, value);
  }

  @Override
  public boolean hasPeer(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment len = arena.allocate(JAVA_INT);
      len.set(JAVA_INT, 0, Scratch.SOCKADDR);
      return Libc.getpeername(fd, arena.allocate(Scratch.SOCKADDR), len) == 0;
    }
  }

  @Override
  public Optional<Inet4Endpoint> localAddress(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment len = arena.allocate(JAVA_INT);
      len.set(JAVA_INT, 0, Scratch.SOCKADDR);
      MemorySegment addr = arena.allocate(Scratch.SOCKADDR);
      if (Libc.getsockname(fd, addr, len) != 0) {
        return Optional.empty();
      }
      int n = Math.min(len.get(JAVA_INT, 0), Scratch.SOCKADDR);
      try {
        return SockAddrCodec.decode(addr.asSlice(0, n).toArray(JAVA_BYTE), n, Sys.AF_INET6).inet4();
      } catch (SockAddrCodec.BadAddressException e) {
        return Optional.empty();
      }
    }
  }

  @Override
  public long sendmsg(int fd, byte[] data, byte[] to, byte[] control, int flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(Math.max(1, data.length));
      MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
      MemorySegment msg = MsgHdrStruct.allocate(arena);
      if (to.length > 0) {
        MsgHdrStruct.setName(msg, arena.allocateFrom(JAVA_BYTE, to));
      }
      MsgHdrStruct.setIov(msg, IovecStruct.allocate(arena, buf.asSlice(0, data.length)), 1);
      if (control.length > 0) {
        // The app's control messages, copied as they were (cmsghdrs and data): not rebuilt here.
        MsgHdrStruct.setControl(msg, arena.allocateFrom(JAVA_BYTE, control));
      }
      return Libc.sendmsg(fd, msg, flags);
    }
  }

  @Override
  public void close(int fd) {
    Libc.close(fd);
  }
}
