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
import io.ax.bridge.net.SockAddr;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.server.FakeNotifier.Answer;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

  private static final String ANY6 = "00000000000000000000000000000000";
  /** [::1]:0, where an IPv6-only socket bound to :: really goes. */
  private static final byte[] INERT = v6Sockaddr("00000000000000000000000000000001", 0);

  private static byte[] v6Sockaddr(String hex, int port) {
    return SockAddrCodec.encode(new SockAddr.V6(HexFormat.of().parseHex(hex), port, 0, 0));
  }

  /** bind(APP_FD, [hex]:port) on an AF_INET6 socket; {@code ipv6Only} is its IPV6_V6ONLY. */
  private void bind6(long id, String hex, int port, int ipv6Only) {
    h.sockets.family = Sys.AF_INET6;
    h.sockets.ipv6Only = ipv6Only;
    byte[] sockaddr = v6Sockaddr(hex, port);
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

  @Test
  void bind_ipv6OnlySocketToAnyAddress_bindsIpv6LoopbackAndListensWithoutPublishing() {
    h.policy.bindDecisions.add(new BindDecision.Real(REAL, VIRTUAL, PortChoice.PICKED));

    bind6(1, ANY6, 6379, 1);
    h.on(CallHarness.notification(2, Sys.NR_LISTEN, APP_FD, 511), h.addressCalls::listen);

    assertThat(h.sockets.bindSockaddrs).containsExactly(INERT);
    assertThat(h.sockets.listens).containsExactly(511);
    assertThat(h.policy.bindDecisions).as("the policy is not asked").hasSize(1);
    assertThat(h.policy.published).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0), new Answer.Value(2, 0));
  }

  @Test
  void bind_ipv6OnlySocketRestarted_answersZeroWithoutBindingAgain() {
    bind6(1, ANY6, 6379, 1);

    bind6(2, ANY6, 6379, 1);

    assertThat(h.sockets.bindSockaddrs).hasSize(1);
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0), new Answer.Value(2, 0));
  }

  @Test
  void bind_ipv6OnlySocketLoopbackTaken_failsAsTheKernelSaid() {
    h.sockets.bindAnswers.add(-Errno.EADDRNOTAVAIL); // a node whose lo has no ::1

    bind6(1, ANY6, 6379, 1);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EADDRNOTAVAIL));
    assertThat(h.table.get(7).map(SocketState::phase)).contains(new SocketState.Phase.Unbound());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "::1 is not the node's,                00000000000000000000000000000001, " + Errno.EADDRNOTAVAIL,
    "2001:db8::1 is not the node's,        20010db8000000000000000000000001, " + Errno.EADDRNOTAVAIL,
    "mapped on IPv6-only (__inet6_bind),   00000000000000000000ffff0a000002, " + Errno.EINVAL,
    "mapped any on IPv6-only,              00000000000000000000ffff00000000, " + Errno.EINVAL,
  })
  void bind_ipv6OnlySocketToOtherAddresses_answersAsANodeWithoutIpv6(String why, String hex, int errno) {
    h.policy.bindDecisions.add(new BindDecision.Real(REAL, VIRTUAL, PortChoice.PICKED));

    bind6(1, hex, 80, 1);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, errno));
    assertThat(h.sockets.binds).isEmpty();
    assertThat(h.policy.bindDecisions).as("the policy is not asked").hasSize(1);
  }

  @Test
  void bind_dualStackSocketToAnyAddress_goesThroughThePolicyAsBefore() {
    h.policy.bindDecisions.add(new BindDecision.Real(REAL, VIRTUAL, PortChoice.PICKED));

    bind6(1, ANY6, 80, 0);
    h.on(CallHarness.notification(2, Sys.NR_LISTEN, APP_FD, 128), h.addressCalls::listen);

    assertThat(h.sockets.binds).containsExactly(new FakeHostSockets.Address.Inet(REAL));
    assertThat(h.policy.published).containsExactly(new FakePolicy.Published(CallHarness.APP, 7, Transport.TCP, VIRTUAL, REAL, 128));
  }

  @Test
  void bind_ipv6OnlyUnreadable_failsWithTheErrno() {
    bind6(1, ANY6, 6379, -Errno.EBADF);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EBADF));
    assertThat(h.sockets.binds).isEmpty();
  }

  @Test
  void getsockname_ipv6OnlyBoundToAny_showsTheAnyAddressAndTheAppsPort() {
    bind6(1, ANY6, 6379, 1);
    h.target.map(ADDR, new byte[128]).map(LEN_PTR, new byte[] {(byte) 128, 0, 0, 0});

    h.on(CallHarness.notification(2, Sys.NR_GETSOCKNAME, APP_FD, ADDR, LEN_PTR), c -> h.addressCalls.name(c, AddressCalls.Side.LOCAL));

    assertThat(h.target.writes).usingRecursiveFieldByFieldElementComparator()
        .containsExactly(new FakeTarget.Write(ADDR, v6Sockaddr(ANY6, 6379)), new FakeTarget.Write(LEN_PTR, new byte[] {28, 0, 0, 0}));
    assertThat(h.notifier.answers()).endsWith(new Answer.Value(2, 0));
  }

  @Test
  void bind_toPortZero_ofAStreamSocket_takesAPoolPortThroughThePolicy_andItsListenPublishes() {
    // Bound to 0.0.0.0:ephemeral, a listener would serve outside the service table (issue 17).
    Inet4Endpoint virtualPicked = endpoint(10, 0, 0, 2, 40000);
    h.policy.bindDecisions.add(new BindDecision.Real(REAL, virtualPicked, PortChoice.PICKED));

    bind(1, endpoint(0, 0, 0, 0, 0));
    h.on(CallHarness.notification(2, Sys.NR_LISTEN, APP_FD, 16), h.addressCalls::listen);

    assertThat(h.sockets.binds).containsExactly(new FakeHostSockets.Address.Inet(REAL));
    assertThat(h.policy.published).containsExactly(new FakePolicy.Published(CallHarness.APP, 7, Transport.TCP, virtualPicked, REAL, 16));
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0), new Answer.Value(2, 0));
  }

  @Test
  void listen_withoutBind_isBoundToAPoolPortFirst_andPublished() {
    Inet4Endpoint virtualPicked = endpoint(10, 0, 0, 2, 40000);
    h.policy.bindDecisions.add(new BindDecision.Real(REAL, virtualPicked, PortChoice.PICKED));
    h.sockets.localAddress = java.util.Optional.of(endpoint(0, 0, 0, 0, 0)); // unbound: the kernel would pick 0.0.0.0:ephemeral

    h.on(CallHarness.notification(1, Sys.NR_LISTEN, APP_FD, 16), h.addressCalls::listen);

    assertThat(h.sockets.binds).containsExactly(new FakeHostSockets.Address.Inet(REAL));
    assertThat(h.policy.published).containsExactly(new FakePolicy.Published(CallHarness.APP, 7, Transport.TCP, virtualPicked, REAL, 16));
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0));
  }

  @Test
  void listen_withoutBind_whenThePolicyRefuses_failsAndDoesNotListen() {
    h.policy.bindDecisions.add(new BindDecision.Refuse(Errno.EADDRINUSE));
    h.sockets.localAddress = java.util.Optional.of(endpoint(0, 0, 0, 0, 0));

    h.on(CallHarness.notification(1, Sys.NR_LISTEN, APP_FD, 16), h.addressCalls::listen);

    assertThat(h.sockets.binds).isEmpty();
    assertThat(h.sockets.listens).isEmpty();
    assertThat(h.policy.published).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EADDRINUSE));
  }
}
