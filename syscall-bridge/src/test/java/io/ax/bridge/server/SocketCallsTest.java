package io.ax.bridge.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.ax.bridge.seccomp.Notifier.OnExec;
import io.ax.bridge.server.FakeNotifier.Answer;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** socket(): made by the daemon, installed in the app, known by inode from then on. */
class SocketCallsTest {
  private final CallHarness h = new CallHarness();
  private final SocketCalls calls = new SocketCalls(h.table);

  private void socket(int domain, int type) {
    calls.socket(CallHarness.APP, CallHarness.notification(1, Sys.NR_SOCKET, domain, type, 0), h.kernel);
  }

  static Stream<Arguments> installs() {
    return Stream.of(
        arguments(Sys.SOCK_STREAM, OnExec.KEEP),
        arguments(Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, OnExec.CLOSE),
        arguments(Sys.SOCK_DGRAM | Sys.SOCK_NONBLOCK, OnExec.KEEP));
  }

  @ParameterizedTest(name = "type {0}: {1} on exec")
  @MethodSource("installs")
  void socket_inet_installsOurSocketHonouringCloexecAndClosesOurCopy(int type, OnExec onExec) {
    socket(Sys.AF_INET, type);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Installed(1, 200, onExec));
    assertThat(h.sockets.closed).containsExactly(200);
    assertThat(h.table.get(7).orElseThrow().origin).isEqualTo(new SocketState.Origin.Made(Sys.AF_INET, type & Sys.SOCK_TYPE_MASK));
  }

  @Test
  void socket_rawWithoutCapNetRaw_failsWithEpermAndMakesNothing() {
    socket(Sys.AF_INET, Sys.SOCK_RAW);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EPERM));
    assertThat(h.sockets.nextSocket).isEqualTo(200);
  }

  @Test
  void socket_unknownTypeBits_failsWithEinval() {
    socket(Sys.AF_INET, Sys.SOCK_STREAM | 0x4000_0000);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EINVAL));
  }

  @Test
  void socket_installFails_answersTheErrorAndClosesOurCopy() {
    h.notifier.installResult = -Errno.EMFILE;

    socket(Sys.AF_INET6, Sys.SOCK_STREAM);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Installed(1, 200, OnExec.KEEP), new Answer.Failed(1, Errno.EMFILE));
    assertThat(h.sockets.closed).containsExactly(200);
  }
}
