package io.ax.bridge.server;

import static io.ax.bridge.server.CallHarness.ADDR;
import static io.ax.bridge.server.CallHarness.APP_FD;
import static io.ax.bridge.server.CallHarness.LEN_PTR;
import static io.ax.bridge.server.CallHarness.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.BindDecision;
import io.ax.bridge.SocketPolicy.PortChoice;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.server.FakeNotifier.Answer;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import org.junit.jupiter.api.Test;

/** bind, listen, getsockname and getpeername against a fake kernel. */
class AddressCallsTest {
  private static final Inet4Endpoint VIRTUAL = endpoint(10, 0, 0, 2, 80);
  private static final Inet4Endpoint REAL = endpoint(0, 0, 0, 0, 40000);

  private final CallHarness h = new CallHarness();

  private void bind(long id, Inet4Endpoint to) {
    byte[] sockaddr = SockAddrCodec.encode(to, Sys.AF_INET);
    h.target.map(ADDR, sockaddr);
    h.on(CallHarness.notification(id, Sys.NR_BIND, APP_FD, ADDR, sockaddr.length), h.addressCalls::bind);
  }

  @Test
  void bind_thenListen_bindsTheRealPortAndPublishesTheVirtualOne() {
    h.policy.bindDecisions.add(new BindDecision.Real(REAL, VIRTUAL, PortChoice.PICKED));

    bind(1, VIRTUAL);
    h.on(CallHarness.notification(2, Sys.NR_LISTEN, APP_FD, 128), h.addressCalls::listen);

    assertThat(h.sockets.binds).containsExactly(new FakeHostSockets.Address.Inet(REAL));
    assertThat(h.policy.published).containsExactly(new FakePolicy.Published(CallHarness.APP, 7, Transport.TCP, VIRTUAL, REAL, 128));
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0), new Answer.Value(2, 0));
    assertThat(h.table.get(7).orElseThrow().phase()).isInstanceOf(SocketState.Phase.Published.class);
  }

  @Test
  void bind_restartedAfterTheDaemonBound_answersZeroWithoutBindingAgain() {
    h.policy.bindDecisions.add(new BindDecision.Real(REAL, VIRTUAL, PortChoice.PICKED));
    bind(1, VIRTUAL);

    bind(2, VIRTUAL);

    assertThat(h.sockets.binds).hasSize(1);
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0), new Answer.Value(2, 0));
  }

  @Test
  void bind_pickedPortTakenOutsideAx_reportsItBusyAndBindsTheNextPick() {
    Inet4Endpoint next = endpoint(0, 0, 0, 0, 40001);
    h.policy.bindDecisions.add(new BindDecision.Real(REAL, VIRTUAL, PortChoice.PICKED));
    h.policy.bindDecisions.add(new BindDecision.Real(next, VIRTUAL, PortChoice.PICKED));
    h.sockets.bindAnswers.add(-Errno.EADDRINUSE);

    bind(1, VIRTUAL);

    assertThat(h.policy.busy).containsExactly(REAL);
    assertThat(h.sockets.binds).containsExactly(new FakeHostSockets.Address.Inet(REAL), new FakeHostSockets.Address.Inet(next));
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0));
  }

  @Test
  void bind_notificationDiesAfterTheRead_bindsNothing() {
    h.policy.bindDecisions.add(new BindDecision.Real(REAL, VIRTUAL, PortChoice.PICKED));
    h.notifier.valid = false;

    bind(1, VIRTUAL);

    assertThat(h.sockets.binds).isEmpty();
    assertThat(h.notifier.answers()).isEmpty();
    assertThat(h.table.get(7)).isEmpty();
  }

  @Test
  void getsockname_boundVirtually_writesTheVirtualAddressAndItsLength() {
    h.policy.bindDecisions.add(new BindDecision.Real(REAL, VIRTUAL, PortChoice.PICKED));
    bind(1, VIRTUAL);
    h.target.map(ADDR, new byte[128]).map(LEN_PTR, new byte[] {(byte) 128, 0, 0, 0});

    h.on(CallHarness.notification(2, Sys.NR_GETSOCKNAME, APP_FD, ADDR, LEN_PTR), c -> h.addressCalls.name(c, AddressCalls.Side.LOCAL));

    byte[] expected = SockAddrCodec.encode(VIRTUAL, Sys.AF_INET);
    assertThat(h.target.writes).usingRecursiveFieldByFieldElementComparator()
        .containsExactly(new FakeTarget.Write(ADDR, expected), new FakeTarget.Write(LEN_PTR, new byte[] {16, 0, 0, 0}));
    assertThat(h.notifier.answers()).endsWith(new Answer.Value(2, 0));
  }

  @Test
  void getsockname_notificationDiesBeforeTheWrite_writesNothing() {
    h.policy.bindDecisions.add(new BindDecision.Real(REAL, VIRTUAL, PortChoice.PICKED));
    bind(1, VIRTUAL);
    h.target.map(ADDR, new byte[128]).map(LEN_PTR, new byte[] {(byte) 128, 0, 0, 0});
    h.notifier.valid = false;

    h.on(CallHarness.notification(2, Sys.NR_GETSOCKNAME, APP_FD, ADDR, LEN_PTR), c -> h.addressCalls.name(c, AddressCalls.Side.LOCAL));

    assertThat(h.target.writes).isEmpty();
  }

  @Test
  void getpeername_notConnectedYet_letsTheKernelAnswer() {
    h.table.getOrCreate(CallHarness.APP, 7, Sys.AF_INET, Transport.TCP).connectedTo(VIRTUAL);
    h.sockets.hasPeer = false; // still connecting

    h.on(CallHarness.notification(2, Sys.NR_GETPEERNAME, APP_FD, ADDR, LEN_PTR), c -> h.addressCalls.name(c, AddressCalls.Side.PEER));

    assertThat(h.notifier.answers()).containsExactly(new Answer.Proceeded(2));
    assertThat(h.target.writes).isEmpty();
  }
}
