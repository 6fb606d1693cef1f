package io.ax.bridge.server;

import static io.ax.bridge.server.CallHarness.ADDR;
import static io.ax.bridge.server.CallHarness.APP_FD;
import static io.ax.bridge.server.CallHarness.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.server.FakeNotifier.Answer;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import java.util.List;
import org.junit.jupiter.api.Test;

/** sendto on datagram and stream sockets, against a fake kernel. */
class SendCallsTest {
  private static final Inet4Endpoint VIP = endpoint(10, 96, 0, 53, 53);
  private static final Inet4Endpoint BACKEND = endpoint(10, 0, 0, 7, 40053);
  private static final long DATA = 0x7fff_0000_3000L;

  private final CallHarness h = new CallHarness();

  private void sendto(long id, int flags) {
    byte[] to = SockAddrCodec.encode(VIP, Sys.AF_INET);
    h.target.map(DATA, "ping".getBytes()).map(ADDR, to);
    h.on(CallHarness.notification(id, Sys.NR_SENDTO, APP_FD, DATA, 4, flags, ADDR, to.length), h.sendCalls::sendto);
  }

  @Test
  void sendto_datagramToAVirtualAddress_sendsOurCopyToTheTarget() {
    h.sockets.type = Sys.SOCK_DGRAM;
    h.policy.connectDecision = new ConnectDecision.Targets("test vservice", List.of(BACKEND));

    sendto(1, 0);

    assertThat(h.sockets.sent).hasSize(1);
    assertThat(h.sockets.sent.getFirst().data()).isEqualTo("ping".getBytes());
    assertThat(h.sockets.sent.getFirst().to()).isEqualTo(SockAddrCodec.encode(BACKEND, Sys.AF_INET));
    assertThat(h.sockets.sent.getFirst().flags() & Sys.MSG_DONTWAIT).as("never blocks a receiver").isNotZero();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 4));
  }

  @Test
  void sendto_notificationDiesAfterTheRead_sendsNothing() {
    h.sockets.type = Sys.SOCK_DGRAM;
    h.notifier.valid = false;

    sendto(1, 0);

    assertThat(h.sockets.sent).isEmpty();
    assertThat(h.notifier.answers()).as("nobody to answer but the dispatcher's ENOSYS, which the kernel drops").containsExactly(new Answer.Failed(1, Errno.ENOSYS));
  }

  @Test
  void sendto_streamSocket_letsTheKernelRunIt() {
    sendto(1, 0);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Proceeded(1));
    assertThat(h.target.reads).as("nothing of the app's memory is read").isZero();
  }

  @Test
  void sendto_streamSocketWithFastOpen_isRefused() {
    sendto(1, Sys.MSG_FASTOPEN);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EOPNOTSUPP));
  }

  @Test
  void sendto_datagramLargerThanUdpAllows_failsWithEmsgsize() {
    h.sockets.type = Sys.SOCK_DGRAM;
    h.on(CallHarness.notification(1, Sys.NR_SENDTO, APP_FD, DATA, SendCalls.MAX_DATAGRAM + 1, 0, ADDR, 16), h.sendCalls::sendto);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EMSGSIZE));
    assertThat(h.target.reads).isZero();
  }
}
