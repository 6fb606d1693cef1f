package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** {@code struct epoll_event}, packed: an array through a segment, and epoll on real eventfds. */
class EpollEventStructTest {
  private static final long TOKEN = 0x1122_3344_5566_7788L;

  @Test
  void set_thirdEvent_landsPackedAtTwelveBytesPerEventAndReadsBack() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment events = EpollEventStruct.allocate(arena, 4);

      EpollEventStruct.set(events, 2, Sys.EPOLLIN | Sys.EPOLLOUT, TOKEN);

      assertThat(events.byteSize()).isEqualTo(48);
      assertThat(events.get(JAVA_INT_UNALIGNED, 24)).isEqualTo(Sys.EPOLLIN | Sys.EPOLLOUT);
      assertThat(events.get(JAVA_LONG_UNALIGNED, 28)).isEqualTo(TOKEN); // not 8-aligned: packed
      assertThat(EpollEventStruct.events(events, 2)).isEqualTo(Sys.EPOLLIN | Sys.EPOLLOUT);
      assertThat(EpollEventStruct.data(events, 2)).isEqualTo(TOKEN);
      assertThat(EpollEventStruct.data(events, 1)).isZero();
      assertThat(EpollEventStruct.data(events, 3)).isZero();
    }
  }

  @Test
  void epollWait_readyEventfds_kernelReturnsEachTokenWithItsBits() throws SysCallException {
    int epfd = (int) Libc.check("epoll_create1", Libc.epollCreate1(Sys.EPOLL_CLOEXEC));
    int a = (int) Libc.check("eventfd", Libc.eventfd(0, Sys.EFD_CLOEXEC | Sys.EFD_NONBLOCK));
    int b = (int) Libc.check("eventfd", Libc.eventfd(0, Sys.EFD_CLOEXEC | Sys.EFD_NONBLOCK));
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ev = EpollEventStruct.allocate(arena, 1);
      EpollEventStruct.set(ev, 0, Sys.EPOLLIN, TOKEN);
      Libc.check("epoll_ctl", Libc.epollCtl(epfd, Sys.EPOLL_CTL_ADD, a, ev));
      EpollEventStruct.set(ev, 0, Sys.EPOLLOUT, -2L);
      Libc.check("epoll_ctl", Libc.epollCtl(epfd, Sys.EPOLL_CTL_ADD, b, ev));
      Libc.check("write", Libc.write(a, arena.allocateFrom(JAVA_LONG, 1L), 8));
      MemorySegment events = EpollEventStruct.allocate(arena, 8);

      int n = Libc.epollWait(epfd, events, 8, 0);

      assertThat(n).isEqualTo(2);
      long firstToken = EpollEventStruct.data(events, 0);
      int first = firstToken == TOKEN ? 0 : 1;
      assertThat(EpollEventStruct.data(events, first)).isEqualTo(TOKEN);
      assertThat(EpollEventStruct.events(events, first)).isEqualTo(Sys.EPOLLIN);
      assertThat(EpollEventStruct.data(events, 1 - first)).isEqualTo(-2L);
      assertThat(EpollEventStruct.events(events, 1 - first)).isEqualTo(Sys.EPOLLOUT);
    } finally {
      Libc.close(a);
      Libc.close(b);
      Libc.close(epfd);
    }
  }
}
