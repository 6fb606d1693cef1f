package io.ax.bridge.server;

import static io.ax.bridge.server.CallHarness.ADDR;
import static io.ax.bridge.server.CallHarness.APP_FD;
import static io.ax.bridge.server.CallHarness.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.ax.bridge.SocketPolicy.BindDecision;
import io.ax.bridge.SocketPolicy.PortChoice;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.server.FakeNotifier.Answer;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sockaddrs an app may hand over to connect, bind and sendto: too short, the wrong family, a
 * length past sockaddr_storage, memory it does not have. Each gets the kernel's errno, once, and
 * nothing is done on its behalf.
 */
class HostileAddressTest {
  private final CallHarness h = new CallHarness();

  /** Bytes mapped at the address, the length argument, the errno the app hears. */
  static Stream<Arguments> hostile() {
    byte[] v4 = SockAddrCodec.encode(endpoint(10, 96, 0, 1, 80), Sys.AF_INET);
    byte[] unix = new byte[16];
    unix[0] = (byte) Sys.AF_UNIX;
    byte[] v6 = new byte[28];
    v6[0] = (byte) Sys.AF_INET6;
    byte[] unknownFamily = new byte[16];
    unknownFamily[0] = (byte) 0xff;
    unknownFamily[1] = (byte) 0xff;
    return Stream.of(
        arguments("shorter than its family field", new byte[] {2}, 1, Errno.EINVAL),
        arguments("zero length", v4, 0, Errno.EINVAL),
        arguments("AF_INET shorter than sockaddr_in", v4, 8, Errno.EINVAL),
        arguments("AF_UNIX on an inet socket", unix, 16, Errno.EAFNOSUPPORT),
        arguments("AF_INET6 on an IPv4 socket", v6, 28, Errno.EAFNOSUPPORT),
        arguments("a family nobody has", unknownFamily, 16, Errno.EAFNOSUPPORT),
        arguments("longer than sockaddr_storage", new byte[256], 129, Errno.EINVAL),
        arguments("a negative length", v4, -1, Errno.EINVAL),
        arguments("a length whose low 32 bits are negative", v4, (int) 0x8000_0010L, Errno.EINVAL),
        arguments("memory the app does not have", new byte[0], 16, Errno.EFAULT),
        arguments("a sockaddr that runs into unmapped memory", Arrays.copyOf(v4, 8), 16, Errno.EFAULT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void connect_hostileSockaddr_failsWithTheKernelsErrnoAndConnectsNothing(String name, byte[] mapped, int len, int errno) {
    h.connect(1, mapped, len);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, errno));
    assertThat(h.policy.connectQuestions).isEmpty();
    assertThat(h.sockets.connects).isEmpty();
    assertThat(h.sockets.closed).containsExactly(100);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void bind_hostileSockaddr_failsWithTheKernelsErrnoAndBindsNothing(String name, byte[] mapped, int len, int errno) {
    h.policy.bindDecisions.add(new BindDecision.Real(endpoint(0, 0, 0, 0, 40000), endpoint(10, 0, 0, 2, 80), PortChoice.PICKED));
    h.target.map(ADDR, mapped);

    h.on(CallHarness.notification(1, Sys.NR_BIND, APP_FD, ADDR, len), h.addressCalls::bind);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, errno));
    assertThat(h.sockets.binds).isEmpty();
    assertThat(h.policy.bindDecisions).as("the policy was not asked").hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void sendto_hostileSockaddrOnADatagramSocket_failsWithTheKernelsErrnoAndSendsNothing(String name, byte[] mapped, int len, int errno) {
    h.sockets.type = Sys.SOCK_DGRAM;
    long data = 0x7fff_0000_3000L;
    h.target.map(data, "ping".getBytes());
    h.target.map(ADDR, mapped);

    h.on(CallHarness.notification(1, Sys.NR_SENDTO, APP_FD, data, 4, 0, ADDR, len), h.sendCalls::sendto);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, errno));
    assertThat(h.sockets.sent).isEmpty();
  }
}
