package io.ax.bridge.server;

import static io.ax.bridge.server.CallHarness.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.BridgeObserver.Answer;
import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How each trapped call was answered, as the dispatcher reports it to the
 * {@link io.ax.bridge.BridgeObserver} ({@code ax_trapped_syscalls_total{answer}}).
 */
class AnswerKindTest {
  private static final Inet4Endpoint VIP = endpoint(10, 96, 0, 1, 80);
  private static final Inet4Endpoint A = endpoint(10, 0, 0, 1, 40000);

  private final CallHarness h = new CallHarness();

  private Answer connect() {
    byte[] sockaddr = SockAddrCodec.encode(VIP, Sys.AF_INET);
    h.target.map(CallHarness.ADDR, sockaddr);
    return Dispatcher.onSocket(CallHarness.APP, CallHarness.notification(1, Sys.NR_CONNECT, CallHarness.APP_FD, CallHarness.ADDR, sockaddr.length), h.kernel, h.table, h.connectCalls::connect);
  }

  @Test
  void onSocket_connected_value() {
    h.policy.connectDecision = new ConnectDecision.Targets("vs", List.of(A));
    assertThat(connect()).isEqualTo(Answer.VALUE);
  }

  @Test
  void onSocket_refused_errno() {
    h.policy.connectDecision = new ConnectDecision.Refuse(Errno.ECONNREFUSED, "no label", ConnectDecision.Refuse.Cause.ACCESS);
    assertThat(connect()).isEqualTo(Answer.ERRNO);
  }

  @Test
  void onSocket_blockingConnectLeftToTheLoop_deferred() {
    h.policy.connectDecision = new ConnectDecision.Targets("vs", List.of(A));
    h.sockets.answer(A, -Errno.EINPROGRESS, -Errno.EALREADY);
    assertThat(connect()).isEqualTo(Answer.DEFERRED);
  }

  @Test
  void onSocket_notAnInetSocket_continue() {
    h.sockets.family = Sys.AF_UNIX;
    assertThat(connect()).isEqualTo(Answer.CONTINUE);
  }

  @Test
  void onSocket_handlerThatDoesNotAnswer_errnoForItsEnosys() {
    Answer a = Dispatcher.onSocket(CallHarness.APP, CallHarness.notification(1, Sys.NR_GETSOCKNAME, CallHarness.APP_FD), h.kernel, h.table, call -> {});
    assertThat(a).isEqualTo(Answer.ERRNO);
    assertThat(h.notifier.answers()).containsExactly(new FakeNotifier.Answer.Failed(1, Errno.ENOSYS));
  }

  @Test
  void socket_installed_value_badFlags_errno() {
    SocketCalls calls = new SocketCalls(h.table);
    assertThat(calls.socket(CallHarness.APP, CallHarness.notification(1, Sys.NR_SOCKET, Sys.AF_INET, Sys.SOCK_STREAM, 0), h.kernel)).isEqualTo(Answer.VALUE);
    assertThat(calls.socket(CallHarness.APP, CallHarness.notification(2, Sys.NR_SOCKET, Sys.AF_INET, Sys.SOCK_STREAM | 0x40000000, 0), h.kernel)).isEqualTo(Answer.ERRNO);
  }
}
