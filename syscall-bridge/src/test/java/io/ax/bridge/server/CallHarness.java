package io.ax.bridge.server;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.seccomp.Notification;
import io.ax.bridge.sys.Sys;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The bridge's handlers wired to fakes: a trapped thread, the daemon's sockets, the answers and
 * the event loop, all in the test's hands. Calls go through {@link Dispatcher#onSocket}, as on a
 * receiver: fd copy, socket description, exactly one answer.
 */
final class CallHarness {
  static final String APP = "0000000a";
  static final int TID = 4242;
  /** Where the app's sockaddr lives in its memory. */
  static final long ADDR = 0x7fff_0000_1000L;
  static final long LEN_PTR = 0x7fff_0000_2000L;
  /** The app's fd for its socket; our copy is {@link FakeTarget#fdCopy}. */
  static final int APP_FD = 3;

  final FakeTarget target = new FakeTarget();
  final FakeHostSockets sockets = new FakeHostSockets();
  final FakeNotifier notifier = new FakeNotifier();
  final FakeReadiness loop = new FakeReadiness();
  final FakePolicy policy = new FakePolicy();
  final AtomicLong clock = new AtomicLong(1_000);
  final SocketTable table = new SocketTable(clock::incrementAndGet);
  final Kernel kernel = new Kernel(target, sockets, notifier);
  final RecordingObserver observer = new RecordingObserver();
  final ConnectCalls connectCalls = new ConnectCalls(policy, table, loop, sockets, observer, clock::incrementAndGet);
  final AddressCalls addressCalls = new AddressCalls(policy, table, clock::incrementAndGet);
  final SendCalls sendCalls = new SendCalls(policy);

  static Inet4Endpoint endpoint(int a, int b, int c, int d, int port) {
    return new Inet4Endpoint((a << 24) | (b << 16) | (c << 8) | d, port);
  }

  static Notification notification(long id, int nr, long... args) {
    long[] six = new long[6];
    System.arraycopy(args, 0, six, 0, args.length);
    return new Notification(id, TID, nr, Sys.AUDIT_ARCH_X86_64, six);
  }

  /** connect(APP_FD, sockaddr at ADDR, len) with the given bytes mapped there. */
  void connect(long id, byte[] sockaddr, int len) {
    target.map(ADDR, sockaddr);
    on(notification(id, Sys.NR_CONNECT, APP_FD, ADDR, len), connectCalls::connect);
  }

  /** connect(APP_FD, to) as an IPv4 socket would. */
  void connect(long id, Inet4Endpoint to) {
    byte[] sockaddr = SockAddrCodec.encode(to, Sys.AF_INET);
    connect(id, sockaddr, sockaddr.length);
  }

  void on(Notification n, Consumer<TrappedCall> handler) {
    Dispatcher.onSocket(APP, n, kernel, table, handler);
  }
}
