package io.ax.bridge.server;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.sys.Libc;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.SysCallException;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The epoll loop on real eventfds (no root): epoll_event tokens and bits reach the right
 * handler on the loop thread, and close() ends the thread that owns the event array.
 */
class EventLoopTest {
  private static final long WAIT_SECONDS = 10;
  private final List<Integer> fds = new ArrayList<>();

  @AfterEach
  void closeFds() {
    fds.forEach(Libc::close);
  }

  private int eventfd() throws SysCallException {
    int fd = (int) Libc.check("eventfd", Libc.eventfd(0, Sys.EFD_CLOEXEC | Sys.EFD_NONBLOCK));
    fds.add(fd);
    return fd;
  }

  private static void signal(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      assertThat(Libc.write(fd, arena.allocateFrom(JAVA_LONG, 1L), 8)).isEqualTo(8);
    }
  }

  private static void drain(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      Libc.read(fd, arena.allocate(JAVA_LONG), 8); // level-triggered: drain, or it fires again
    }
  }

  @Test
  void add_fdBecomesReadable_runsItsHandlerOnTheLoopThreadWithEpollin() throws Exception {
    BlockingQueue<String> seen = new ArrayBlockingQueue<>(16);
    try (EventLoop loop = new EventLoop("event-loop-test-1")) {
      loop.start();
      int quiet = eventfd();
      int ready = eventfd();
      loop.add(quiet, Sys.EPOLLIN, events -> seen.add("quiet"));
      loop.add(ready, Sys.EPOLLIN, events -> {
        drain(ready);
        seen.add("ready " + events + " inLoop=" + loop.inLoop());
      });

      signal(ready);

      assertThat(seen.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("ready " + Sys.EPOLLIN + " inLoop=true");
      assertThat(seen).isEmpty();
    }
  }

  @Test
  void add_tokenUsingAll64Bits_comesBackThroughThePackedEventUnchanged() throws Exception {
    BlockingQueue<Long> seen = new ArrayBlockingQueue<>(16);
    long token = 0xF122_3344_5566_7788L;
    try (EventLoop loop = new EventLoop("event-loop-test-2")) {
      loop.start();
      int fd = eventfd();
      // Only a handler registered under exactly this token can run.
      loop.add(token, fd, Sys.EPOLLIN, events -> {
        drain(fd);
        seen.add(token);
      });

      signal(fd);

      assertThat(seen.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(token);
    }
  }

  @Test
  void ready_handlerThrows_otherHandlersStillRun() throws Exception {
    BlockingQueue<String> seen = new ArrayBlockingQueue<>(16);
    try (EventLoop loop = new EventLoop("event-loop-test-3")) {
      loop.start();
      int bad = eventfd();
      int good = eventfd();
      loop.add(bad, Sys.EPOLLIN, events -> {
        drain(bad);
        throw new IllegalStateException("boom");
      });
      loop.add(good, Sys.EPOLLIN, events -> {
        drain(good);
        seen.add("good");
      });

      signal(bad);
      signal(good);

      assertThat(seen.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("good");
    }
  }

  @Test
  void close_startedLoop_endsItsThread() throws Exception {
    EventLoop loop = new EventLoop("event-loop-test-4");
    loop.start();

    loop.close();

    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("event-loop-test-4") && t.isAlive());
  }

  @Test
  void schedule_dueTimerRunsOnTheLoopAndACancelledOneNever() throws Exception {
    BlockingQueue<String> seen = new ArrayBlockingQueue<>(16);
    try (EventLoop loop = new EventLoop("event-loop-test-5")) {
      loop.start();
      EventLoop.Timer cancelled = loop.schedule(Duration.ofMillis(20), () -> seen.add("cancelled"));
      cancelled.cancel();
      loop.schedule(Duration.ofMillis(50), () -> seen.add("due inLoop=" + loop.inLoop()));

      assertThat(seen.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("due inLoop=true");
      assertThat(seen.poll(100, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void onceWritableWithTimeout_fdNeverReady_runsTimedOutOnceAndNotThen() throws Exception {
    BlockingQueue<String> seen = new ArrayBlockingQueue<>(16);
    try (EventLoop loop = new EventLoop("event-loop-test-6")) {
      loop.start();
      int fd = eventfd();
      drain(fd); // an eventfd at 0 is writable; fill it so that it is not
      try (Arena arena = Arena.ofConfined()) {
        assertThat(Libc.write(fd, arena.allocateFrom(JAVA_LONG, 0xfffffffffffffffeL), 8)).isEqualTo(8);
      }
      Readiness.on(loop).onceWritable(fd, Duration.ofMillis(50), () -> seen.add("then"), () -> seen.add("timedOut"));

      assertThat(seen.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("timedOut");
      drain(fd); // writable now: nothing watches it any more
      assertThat(seen.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void onceWritableWithTimeout_fdReady_runsThenAndNeverTimedOut() throws Exception {
    BlockingQueue<String> seen = new ArrayBlockingQueue<>(16);
    try (EventLoop loop = new EventLoop("event-loop-test-7")) {
      loop.start();
      int fd = eventfd(); // writable at once
      Readiness.on(loop).onceWritable(fd, Duration.ofMillis(100), () -> seen.add("then"), () -> seen.add("timedOut"));

      assertThat(seen.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("then");
      assertThat(seen.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void schedule_manyCancelledLongTimers_purgedSoTheHeapStaysBounded() throws Exception {
    BlockingQueue<Integer> held = new ArrayBlockingQueue<>(16);
    try (EventLoop loop = new EventLoop("event-loop-test-8")) {
      loop.start();
      for (int i = 0; i < 10_000; i++) {
        loop.schedule(Duration.ofHours(1), () -> {}).cancel();
      }
      loop.schedule(Duration.ofMillis(10), () -> held.add(loop.heldTimers()));

      assertThat(held.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isLessThan(2048);
    }
  }
}
