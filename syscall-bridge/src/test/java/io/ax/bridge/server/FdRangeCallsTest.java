package io.ax.bridge.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.BridgeObserver.Answer;
import io.ax.bridge.seccomp.Notifier.OnExec;
import io.ax.bridge.server.FakeNotifier.Answer.Failed;
import io.ax.bridge.server.FakeNotifier.Answer.Installed;
import io.ax.bridge.server.FakeNotifier.Answer.InstalledAt;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The datagram fd range: socket() puts datagram sockets in it, from the top below
 * min(RLIMIT_NOFILE, FD_SETSIZE); dup and friends never move one below it.
 */
class FdRangeCallsTest {
  private static final FdRange.From RANGE = new FdRange.From(768);

  private final CallHarness h = new CallHarness();
  private final SocketCalls calls = new SocketCalls(h.table);

  private Answer socket(int type) {
    return calls.socket(CallHarness.APP, RANGE, CallHarness.notification(1, Sys.NR_SOCKET, Sys.AF_INET, type, 0), h.kernel);
  }

  private Answer dup(int nr, long... args) {
    return DupCalls.dup(CallHarness.APP, RANGE, CallHarness.notification(2, nr, args), h.kernel);
  }

  /** The target holds these numbers and no others. */
  private void holds(int... fds) {
    for (int fd : fds) {
      h.target.held.add(fd);
    }
  }

  @Test
  void socket_datagram_goesToTheTopFreeNumberBelowFdSetsize() {
    holds(0, 1, 2, 1023, 1022);

    assertThat(socket(Sys.SOCK_DGRAM | Sys.SOCK_CLOEXEC)).isEqualTo(Answer.VALUE);

    assertThat(h.notifier.answers()).containsExactly(new InstalledAt(1, 200, 1021, OnExec.CLOSE));
  }

  @Test
  void socket_stream_getsTheLowestFreeNumberAsFromTheKernel() {
    socket(Sys.SOCK_STREAM);

    assertThat(h.notifier.answers()).containsExactly(new Installed(1, 200, OnExec.KEEP));
  }

  @Test
  void socket_softLimitBelowFdSetsize_staysBelowTheLimit() {
    h.target.openFilesLimit = 800;
    holds(0);

    socket(Sys.SOCK_DGRAM);

    assertThat(h.notifier.answers()).containsExactly(new InstalledAt(1, 200, 799, OnExec.KEEP));
  }

  @Test
  void socket_rangeFullBelowFdSetsize_goesAboveItWhenTheLimitAllows() {
    h.target.openFilesLimit = 4096;
    holds(IntStream.range(768, 1025).toArray());

    socket(Sys.SOCK_DGRAM);

    assertThat(h.notifier.answers()).containsExactly(new InstalledAt(1, 200, 1025, OnExec.KEEP));
  }

  @Test
  void socket_rangeFull_failsWithEmfileNeverBelowTheRange() {
    holds(IntStream.range(768, 1024).toArray());

    assertThat(socket(Sys.SOCK_DGRAM)).isEqualTo(Answer.ERRNO);

    assertThat(h.notifier.answers()).containsExactly(new Failed(1, Errno.EMFILE));
    assertThat(h.sockets.closed).contains(200).filteredOn(fd -> fd == 100).hasSize(256); // each probe's copy
  }

  @Test
  void socket_softLimitAtOrBelowTheBase_failsWithEmfile() {
    h.target.openFilesLimit = 768;

    socket(Sys.SOCK_DGRAM);

    assertThat(h.notifier.answers()).containsExactly(new Failed(1, Errno.EMFILE));
  }

  @Test
  void socket_datagramWithoutRange_getsTheLowestFreeNumber() {
    calls.socket(CallHarness.APP, new FdRange.Everywhere(), CallHarness.notification(1, Sys.NR_SOCKET, Sys.AF_INET, Sys.SOCK_DGRAM, 0), h.kernel);

    assertThat(h.notifier.answers()).containsExactly(new Installed(1, 200, OnExec.KEEP));
  }

  @Test
  void dup_ofDatagramSocket_staysInTheRange() {
    h.sockets.type = Sys.SOCK_DGRAM;
    holds(900, 1023);

    assertThat(dup(Sys.NR_DUP, 900)).isEqualTo(Answer.VALUE);

    assertThat(h.notifier.answers()).containsExactly(new InstalledAt(2, 100, 1022, OnExec.KEEP));
    assertThat(h.sockets.closed).contains(100);
  }

  @Test
  void fcntlDupfdCloexec_ofDatagramSocket_staysInTheRangeAndIsCloseOnExec() {
    h.sockets.type = Sys.SOCK_DGRAM;
    holds(900);

    dup(Sys.NR_FCNTL, 900, Sys.F_DUPFD_CLOEXEC, 3);

    assertThat(h.notifier.answers()).containsExactly(new InstalledAt(2, 100, 1023, OnExec.CLOSE));
  }

  @Test
  void dup2_ofDatagramSocketBelowTheRange_isEbadf() {
    h.sockets.type = Sys.SOCK_DGRAM;
    holds(900);

    assertThat(dup(Sys.NR_DUP2, 900, 5)).isEqualTo(Answer.ERRNO);

    assertThat(h.notifier.answers()).containsExactly(new Failed(2, Errno.EBADF));
  }

  @Test
  void dup_ofStreamSocket_isTheKernelsLowestFreeNumber() {
    holds(900);

    dup(Sys.NR_DUP, 900);

    assertThat(h.notifier.answers()).containsExactly(new Installed(2, 100, OnExec.KEEP));
  }

  @Test
  void dup3_ofStreamSocket_goesExactlyWhereAsked() {
    holds(900);

    dup(Sys.NR_DUP3, 900, 7, Sys.O_CLOEXEC);

    assertThat(h.notifier.answers()).containsExactly(new InstalledAt(2, 100, 7, OnExec.CLOSE));
  }

  @Test
  void dup3_sameFdOrUnknownFlags_isEinval() {
    holds(900);

    dup(Sys.NR_DUP3, 900, 7, 0x1);

    assertThat(h.notifier.answers()).containsExactly(new Failed(2, Errno.EINVAL));
  }

  @Test
  void fcntlDupfd_ofAFile_takesTheLowestFreeNumberFromItsBound() {
    h.sockets.inode = -Errno.ENOTSOCK;
    holds(0, 1, 2, 5, 6, 900);

    dup(Sys.NR_FCNTL, 900, Sys.F_DUPFD, 5);

    assertThat(h.notifier.answers()).containsExactly(new InstalledAt(2, 100, 7, OnExec.KEEP));
  }

  @Test
  void dup_ofABadFd_isEbadf() {
    holds(3);

    dup(Sys.NR_DUP, 900);

    assertThat(h.notifier.answers()).containsExactly(new Failed(2, Errno.EBADF));
  }

  @Test
  void fcntl_otherCommand_runsInTheKernel() {
    assertThat(dup(Sys.NR_FCNTL, 900, 3 /* F_GETFL */)).isEqualTo(Answer.CONTINUE);
  }
}
