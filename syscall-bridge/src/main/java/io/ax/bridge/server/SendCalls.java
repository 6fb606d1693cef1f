package io.ax.bridge.server;

import io.ax.bridge.SocketPolicy;
import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddr;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.IovecStruct;
import io.ax.bridge.sys.MMsgHdrStruct;
import io.ax.bridge.sys.MsgHdrStruct;
import io.ax.bridge.sys.StructCopy;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.SysCallException;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * {@code sendto}, {@code sendmsg}, {@code sendmmsg} on inet sockets. On a stream socket the
 * kernel ignores a destination address, so the call proceeds untouched (TCP Fast Open, which
 * would connect, is refused: apps fall back to connect). On a datagram socket the daemon sends
 * the datagram itself, to the address the policy picks, from a copy of the app's data: letting
 * the kernel run the call would let the app rewrite the address after our check. Stateless:
 * runs on receivers, each call with its thread's {@link Kernel}.
 */
final class SendCalls {
  /** The largest UDP payload over IPv4 (RFC 768 length field, minus headers). */
  static final int MAX_DATAGRAM = 65_507;
  /** UIO_MAXIOV: the kernel's own bound. */
  static final int MAX_IOV = 1024;
  static final int MAX_CONTROL = 4096;

  private final SocketPolicy policy;

  /** How sending one message ended. */
  private sealed interface Sent {
    /** Bytes sent, or {@code -errno}. */
    record Result(long value) implements Sent {}

    /** The target stopped waiting after we read its memory: nothing was sent, nobody is answered. */
    record NobodyWaits() implements Sent {}
  }

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
      byte[] data = call.target().read(call.n.pid(), call.n.arg(1), (int) len);
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
      if (sendOne(call, call.n.arg(1), flags) instanceof Sent.Result r) {
        call.answerResult(r.value());
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
        long element = MMsgHdrStruct.element(vec, i);
        if (!(sendOne(call, element + MMsgHdrStruct.MSG_HDR_OFFSET, flags) instanceof Sent.Result one)) {
          return; // nobody waits any more
        }
        r = one.value();
        if (r >= 0) {
          call.target().writeInt(call.n.pid(), element + MMsgHdrStruct.MSG_LEN_OFFSET, (int) r);
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

  /** Sends the datagram described by the msghdr at {@code msgPtr}. */
  private Sent sendOne(TrappedCall call, long msgPtr, int flags) throws SysCallException, SockAddrCodec.BadAddressException {
    TargetProcess target = call.target();
    // The header's pointers are addresses in the target's memory: read there, never dereferenced.
    MemorySegment hdr = StructCopy.of(target.read(call.n.pid(), msgPtr, (int) MsgHdrStruct.SIZE));
    long namePtr = MsgHdrStruct.name(hdr);
    int nameLen = MsgHdrStruct.nameLength(hdr);
    long iovPtr = MsgHdrStruct.iov(hdr);
    long iovLen = MsgHdrStruct.iovLength(hdr);
    long controlPtr = MsgHdrStruct.control(hdr);
    long controlLen = MsgHdrStruct.controlLength(hdr);
    if (iovLen < 0 || iovLen > MAX_IOV || controlLen < 0 || controlLen > MAX_CONTROL) {
      return new Sent.Result(-Errno.EMSGSIZE);
    }
    Optional<byte[]> data = gather(call, iovPtr, (int) iovLen);
    if (data.isEmpty()) {
      return new Sent.Result(-Errno.EMSGSIZE);
    }
    byte[] control = controlLen == 0 ? new byte[0] : target.read(call.n.pid(), controlPtr, (int) controlLen);
    byte[] to = new byte[0];
    if (namePtr != 0) {
      SockAddr addr = call.readAddress(namePtr, nameLen);
      if (!call.stillWaiting()) {
        return new Sent.NobodyWaits();
      }
      Destination dst = destination(call, addr);
      if (dst.errno() != 0) {
        return new Sent.Result(-dst.errno());
      }
      to = dst.address();
    } else if (!call.stillWaiting()) {
      return new Sent.NobodyWaits();
    }
    return new Sent.Result(send(call, data.get(), to, control, flags));
  }

  /** The bytes of an iovec array, or empty when they add up to more than a datagram holds. */
  private static Optional<byte[]> gather(TrappedCall call, long iovPtr, int iovLen) throws SysCallException {
    if (iovLen == 0) {
      return Optional.of(new byte[0]);
    }
    TargetProcess target = call.target();
    MemorySegment iovs = StructCopy.of(target.read(call.n.pid(), iovPtr, iovLen * (int) IovecStruct.SIZE));
    long total = 0;
    for (int i = 0; i < iovLen; i++) {
      long len = IovecStruct.length(iovec(iovs, i));
      total += len;
      if (total > MAX_DATAGRAM || len < 0) {
        return Optional.empty();
      }
    }
    byte[] data = new byte[(int) total];
    int off = 0;
    for (int i = 0; i < iovLen; i++) {
      MemorySegment iov = iovec(iovs, i);
      int len = (int) IovecStruct.length(iov);
      byte[] part = target.read(call.n.pid(), IovecStruct.base(iov), len);
      System.arraycopy(part, 0, data, off, len);
      off += len;
    }
    return Optional.of(data);
  }

  /** Element {@code i} of an iovec array. */
  private static MemorySegment iovec(MemorySegment iovs, int i) {
    return iovs.asSlice(i * IovecStruct.SIZE, IovecStruct.LAYOUT);
  }

  /** Where a datagram really goes: an encoded address, or the errno that refuses it. */
  private record Destination(byte[] address, int errno) {}

  private Destination destination(TrappedCall call, SockAddr addr) {
    Optional<Inet4Endpoint> dst = addr.inet4();
    if (dst.isEmpty()) {
      return new Destination(new byte[0], addr instanceof SockAddr.Unspec ? Errno.EAFNOSUPPORT : Errno.ENETUNREACH);
    }
    return switch (policy.connect(call.appId, call.transport(), dst.get())) {
      case ConnectDecision.Refuse r -> new Destination(new byte[0], r.errno());
      case ConnectDecision.Direct d -> new Destination(SockAddrCodec.encode(dst.get(), call.family()), 0);
      // Egress gateways carry streams; a datagram goes where it was sent.
      case ConnectDecision.ViaGateway v -> new Destination(SockAddrCodec.encode(dst.get(), call.family()), 0);
      case ConnectDecision.Targets t -> new Destination(SockAddrCodec.encode(t.targets().getFirst(), call.family()), 0);
    };
  }

  private static long send(TrappedCall call, byte[] data, byte[] to, byte[] control, int flags) {
    // Never block a receiver; a full socket buffer is EAGAIN, as for a non-blocking app.
    return call.hostSockets().sendmsg(call.fd(), data, to, control, (flags & ~Sys.MSG_FASTOPEN) | Sys.MSG_DONTWAIT | Sys.MSG_NOSIGNAL);
  }
}
