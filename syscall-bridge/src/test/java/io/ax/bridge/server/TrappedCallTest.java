package io.ax.bridge.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.ax.bridge.server.FakeNotifier.Answer;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Taking the socket a call names: what the app hears when it is not one of ours. */
class TrappedCallTest {
  private final CallHarness h = new CallHarness();

  static Stream<Arguments> notOurs() {
    return Stream.of(
        arguments("a bad fd number", -Errno.EBADF, Sys.AF_INET, new Answer.Failed(1, Errno.EBADF)),
        arguments("the thread is gone: nobody reads the answer", -Errno.ESRCH, Sys.AF_INET, new Answer.Proceeded(1)),
        arguments("we cannot look (EMFILE): never unchecked", -Errno.EMFILE, Sys.AF_INET, new Answer.Failed(1, Errno.ENOBUFS)),
        arguments("an AF_UNIX socket: the kernel's to run", 100, Sys.AF_UNIX, new Answer.Proceeded(1)),
        arguments("not a socket: the kernel says ENOTSOCK", 100, -Errno.ENOTSOCK, new Answer.Proceeded(1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notOurs")
  void takeSocket_notAnInetSocketOfOurs_answersOnceAndTheHandlerNeverRuns(String name, int fdCopy, int family, Answer expected) {
    h.target.fdCopy = fdCopy;
    h.sockets.family = family;
    boolean[] ran = {false};

    h.on(CallHarness.notification(1, Sys.NR_CONNECT, CallHarness.APP_FD, CallHarness.ADDR, 16), c -> ran[0] = true);

    assertThat(ran[0]).isFalse();
    assertThat(h.notifier.answers()).containsExactly(expected);
  }

  @Test
  void takeSocket_socketTheBridgeMade_isDescribedFromTheTableWithoutAskingTheKernel() {
    h.table.created(CallHarness.APP, 7, Sys.AF_INET6, Sys.SOCK_DGRAM);
    int[] seen = new int[2];

    h.on(CallHarness.notification(1, Sys.NR_CONNECT, CallHarness.APP_FD), c -> {
      seen[0] = c.family();
      seen[1] = c.socketType();
      c.answer(0);
    });

    assertThat(seen).containsExactly(Sys.AF_INET6, Sys.SOCK_DGRAM);
    assertThat(h.sockets.describes).isZero();
  }

  @Test
  void onSocket_handlerThrows_answersEnosysOnce() {
    h.on(CallHarness.notification(1, Sys.NR_CONNECT, CallHarness.APP_FD), c -> {
      throw new IllegalStateException("a bug");
    });

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.ENOSYS));
    assertThat(h.sockets.closed).containsExactly(100);
  }
}
