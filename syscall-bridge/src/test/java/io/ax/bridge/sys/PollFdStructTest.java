package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** {@code struct pollfd}: an array through a segment, and poll(2) on real eventfds (no root). */
class PollFdStructTest {

  @Test
  void set_secondEntry_landsAtItsKernelOffsetsAndReadsBack() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment fds = PollFdStruct.allocate(arena, 2);
      fds.set(JAVA_SHORT, 14, (short) 0x7fff); // a stale revents from a previous poll

      PollFdStruct.set(fds, 1, 42, PollFdStruct.POLLIN);

      assertThat(fds.byteSize()).isEqualTo(16);
      assertThat(fds.get(JAVA_INT, 8)).isEqualTo(42);
      assertThat(fds.get(JAVA_SHORT, 12)).isEqualTo(PollFdStruct.POLLIN);
      assertThat(fds.get(JAVA_SHORT, 14)).isZero();
      assertThat(PollFdStruct.fd(fds, 1)).isEqualTo(42);
      assertThat(PollFdStruct.events(fds, 1)).isEqualTo(PollFdStruct.POLLIN);
      assertThat(fds.asSlice(0, 8).toArray(JAVA_INT)).containsOnly(0); // entry 0 untouched
    }
  }

  @Test
  void revents_writtenAtOffsetSix_readsBackPerEntry() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment fds = PollFdStruct.allocate(arena, 2);
      fds.set(JAVA_SHORT, 6, PollFdStruct.POLLHUP);
      fds.set(JAVA_SHORT, 14, PollFdStruct.POLLNVAL);

      assertThat(PollFdStruct.revents(fds, 0)).isEqualTo(PollFdStruct.POLLHUP);
      assertThat(PollFdStruct.revents(fds, 1)).isEqualTo(PollFdStruct.POLLNVAL);
    }
  }

  @Test
  void poll_oneOfTwoEventfdsReadable_kernelReportsPollinOnThatEntryOnly() throws SysCallException {
    int idle = (int) Libc.check("eventfd", Libc.eventfd(0, Sys.EFD_CLOEXEC | Sys.EFD_NONBLOCK));
    int ready = (int) Libc.check("eventfd", Libc.eventfd(0, Sys.EFD_CLOEXEC | Sys.EFD_NONBLOCK));
    try (Arena arena = Arena.ofConfined()) {
      Libc.check("write", Libc.write(ready, arena.allocateFrom(JAVA_LONG, 1L), 8));
      MemorySegment fds = PollFdStruct.allocate(arena, 2);
      PollFdStruct.set(fds, 0, idle, PollFdStruct.POLLIN);
      PollFdStruct.set(fds, 1, ready, PollFdStruct.POLLIN);

      int n = Libc.poll(fds, 2, 0);

      assertThat(n).isEqualTo(1);
      assertThat(PollFdStruct.revents(fds, 0)).isZero();
      assertThat(PollFdStruct.revents(fds, 1)).isEqualTo(PollFdStruct.POLLIN);
      assertThat(PollFdStruct.fd(fds, 1)).isEqualTo(ready); // the kernel writes revents only
    } finally {
      Libc.close(idle);
      Libc.close(ready);
    }
  }

  @Test
  void poll_closedFd_kernelReportsPollnval() throws SysCallException {
    int fd = (int) Libc.check("eventfd", Libc.eventfd(0, Sys.EFD_CLOEXEC));
    Libc.close(fd);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment fds = PollFdStruct.allocate(arena, 1);
      PollFdStruct.set(fds, 0, fd, PollFdStruct.POLLIN);

      assertThat(Libc.poll(fds, 1, 0)).isEqualTo(1);
      assertThat(PollFdStruct.revents(fds, 0)).isEqualTo(PollFdStruct.POLLNVAL);
    }
  }
}
