package io.ax.bridge.server;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.ax.bridge.SocketPolicy;
import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddr;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Libc;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.SysCallException;
import io.ax.bridge.sys.Target;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * {@code sendto}, {@code sendmsg}, {@code sendmmsg} on inet sockets. On a stream socket the
 * kernel ignores a destination address, so the call proceeds untouched (TCP Fast Open, which
 * would connect, is refused: apps fall back to connect). On a datagram socket the daemon sends
 * the datagram itself, to the address the policy picks, from a copy of the app's data: letting
 * the kernel run the call would let the app rewrite the address after our check.
 */
final class SendCalls {
  /** The largest UDP payload over IPv4 (RFC 768 length field, minus headers). */
  static final int MAX_DATAGRAM = 65_507;
  /** UIO_MAXIOV: the kernel's own bound. */
  static final int MAX_IOV = 1024;
  static final int MAX_CONTROL = 4096;
  /** struct msghdr / struct mmsghdr sizes on x86_64. */
  static final int MSGHDR_SIZE = 56;
  static final int MMSGHDR_SIZE = 64;

  private final SocketPolicy policy;

  SendCalls(SocketPolicy policy) {
    this.policy = policy;
  }

  void sendto(TrappedCall call) {
    int flags = call.n.intArg(3);
    if (call.socketType() != Sys.SOCK_DGRAM) {
      streamSend(call, flags);
      return;
    }
    try {
      long len = call.n.arg(2);
      if (len < 0 || len > MAX_DATAGRAM) {
        call.fail(Errno.EMSGSIZE);
        return;
      }
      byte[] data = Target.read(call.n.pid(), call.n.arg(1), (int) len);
      SockAddr addr = call.readAddress(call.n.arg(4), call.n.intArg(5));
      if (!call.stillWaiting()) {
        return;
      }
      Destination to = destination(call, addr);
      call.answerResult(to.errno() != 0 ? -to.errno() : send(call, data, to.address(), new byte[0], flags));
    } catch (SysCallException e) {
      call.fail(Errno.EFAULT);
    } catch (SockAddrCodec.BadAddressException e) {
      call.fail(e.errno());
    }
  }

  void sendmsg(TrappedCall call) {
    int flags = call.n.intArg(2);
    if (call.socketType() != Sys.SOCK_DGRAM) {
      streamSend(call, flags);
      return;
    }
    try {
      long r = sendOne(call, call.n.arg(1), flags);
      if (r != Long.MIN_VALUE) {
        call.answerResult(r);
      }
    } catch (SysCallException e) {
      call.fail(Errno.EFAULT);
    } catch (SockAddrCodec.BadAddressException e) {
      call.fail(e.errno());
    }
  }

  void sendmmsg(TrappedCall call) {
    int flags = call.n.intArg(3);
    if (call.socketType() != Sys.SOCK_DGRAM) {
      streamSend(call, flags);
      return;
    }
    long vec = call.n.arg(1);
    int vlen = Math.min(Math.max(call.n.intArg(2), 0), MAX_IOV);
    int sent = 0;
    for (int i = 0; i < vlen; i++) {
      long r;
      try {
        r = sendOne(call, vec + (long) i * MMSGHDR_SIZE, flags);
        if (r == Long.MIN_VALUE) {
          return; // nobody waits any more
        }
        if (r >= 0) {
          Target.writeInt(call.n.pid(), vec + (long) i * MMSGHDR_SIZE + MSGHDR_SIZE, (int) r);
        }
      } catch (SysCallException e) {
        r = -Errno.EFAULT;
      } catch (SockAddrCodec.BadAddressException e) {
        r = -e.errno();
      }
      if (r < 0) {
        // As the kernel does: report what was sent, or the error if nothing was.
        if (sent > 0) {
          call.answer(sent);
        } else {
          call.fail((int) -r);
        }
        return;
      }
      sent++;
    }
    call.answer(sent);
  }

  private static void streamSend(TrappedCall call, int flags) {
    if ((flags & Sys.MSG_FASTOPEN) != 0) {
      call.fail(Errno.EOPNOTSUPP);
    } else {
      call.proceed();
    }
  }

  /**
   * Sends the datagram described by the msghdr at {@code msgPtr}. Returns bytes sent or
   * {@code -errno}; {@link Long#MIN_VALUE} when the target no longer waits.
   */
  private long sendOne(TrappedCall call, long msgPtr, int flags) throws SysCallException, SockAddrCodec.BadAddressException {
    ByteBuffer hdr = ByteBuffer.wrap(Target.read(call.n.pid(), msgPtr, MSGHDR_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
    long namePtr = hdr.getLong(0);
    int nameLen = hdr.getInt(8);
    long iovPtr = hdr.getLong(16);
    long iovLen = hdr.getLong(24);
    long controlPtr = hdr.getLong(32);
    long controlLen = hdr.getLong(40);
    if (iovLen < 0 || iovLen > MAX_IOV || controlLen < 0 || controlLen > MAX_CONTROL) {
      return -Errno.EMSGSIZE;
    }
    byte[] data = gather(call, iovPtr, (int) iovLen);
    if (data == null) {
      return -Errno.EMSGSIZE;
    }
    byte[] control = controlLen == 0 ? new byte[0] : Target.read(call.n.pid(), controlPtr, (int) controlLen);
    byte[] to = new byte[0];
    if (namePtr != 0) {
      SockAddr addr = call.readAddress(namePtr, nameLen);
      if (!call.stillWaiting()) {
        return Long.MIN_VALUE;
      }
      Destination dst = destination(call, addr);
      if (dst.errno() != 0) {
        return -dst.errno();
      }
      to = dst.address();
    } else if (!call.stillWaiting()) {
      return Long.MIN_VALUE;
    }
    return send(call, data, to, control, flags);
  }

  private static byte[] gather(TrappedCall call, long iovPtr, int iovLen) throws SysCallException {
    if (iovLen == 0) {
      return new byte[0];
    }
    ByteBuffer iovs = ByteBuffer.wrap(Target.read(call.n.pid(), iovPtr, iovLen * 16)).order(ByteOrder.LITTLE_ENDIAN);
    long total = 0;
    for (int i = 0; i < iovLen; i++) {
      total += iovs.getLong(i * 16 + 8);
      if (total > MAX_DATAGRAM || iovs.getLong(i * 16 + 8) < 0) {
        return null;
      }
    }
    byte[] data = new byte[(int) total];
    int off = 0;
    for (int i = 0; i < iovLen; i++) {
      int len = (int) iovs.getLong(i * 16 + 8);
      byte[] part = Target.read(call.n.pid(), iovs.getLong(i * 16), len);
      System.arraycopy(part, 0, data, off, len);
      off += len;
    }
    return data;
  }

  /** Where a datagram really goes: an encoded address, or the errno that refuses it. */
  private record Destination(byte[] address, int errno) {}

  private Destination destination(TrappedCall call, SockAddr addr) {
    Optional<Inet4Endpoint> dst = addr.inet4();
    if (dst.isEmpty()) {
      return new Destination(new byte[0], addr instanceof SockAddr.Unspec ? Errno.EAFNOSUPPORT : Errno.ENETUNREACH);
    }
    return switch (policy.connect(call.app.appId(), call.transport(), dst.get())) {
      case ConnectDecision.Refuse r -> new Destination(new byte[0], r.errno());
      case ConnectDecision.Direct d -> new Destination(SockAddrCodec.encode(dst.get(), call.family()), 0);
      case ConnectDecision.Targets t -> new Destination(SockAddrCodec.encode(t.targets().getFirst(), call.family()), 0);
    };
  }

  private static long send(TrappedCall call, byte[] data, byte[] to, byte[] control, int flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(Math.max(1, data.length));
      MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
      MemorySegment iov = arena.allocate(16);
      iov.set(JAVA_LONG, 0, buf.address());
      iov.set(JAVA_LONG, 8, data.length);
      MemorySegment msg = arena.allocate(MSGHDR_SIZE);
      if (to.length > 0) {
        MemorySegment name = arena.allocateFrom(JAVA_BYTE, to);
        msg.set(JAVA_LONG, 0, name.address());
        msg.set(java.lang.foreign.ValueLayout.JAVA_INT, 8, to.length);
      }
      msg.set(JAVA_LONG, 16, iov.address());
      msg.set(JAVA_LONG, 24, 1);
      if (control.length > 0) {
        MemorySegment c = arena.allocateFrom(JAVA_BYTE, control);
        msg.set(JAVA_LONG, 32, c.address());
        msg.set(JAVA_LONG, 40, control.length);
      }
      // Never block the event loop; a full socket buffer is EAGAIN, as for a non-blocking app.
      return Libc.sendmsg(call.fd(), msg, (flags & ~Sys.MSG_FASTOPEN) | Sys.MSG_DONTWAIT | Sys.MSG_NOSIGNAL);
    }
  }
}
