package io.ax.bridge.server;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.ax.bridge.sys.EpollEventStruct;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Libc;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.SysCallException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread around an epoll fd: it waits on every app's seccomp listener, every
 * supervisor connection and every connect in progress, and runs the handler of whatever is
 * ready. Handlers must not block; what may block (state writes) goes to virtual threads.
 * Registration is thread-safe (epoll_ctl is); handlers run on the loop thread only. The event
 * array lives in an arena confined to the loop thread and closed when the loop stops.
 *
 * <p>Timers ({@link #schedule}) run on the loop thread too: new ones pass through a concurrent
 * queue, the due ones are kept in a heap confined to the loop, and epoll_wait waits no longer
 * than the next deadline.
 */
final class EventLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
  private static final int MAX_EVENTS = 128;

  /** What to do when an fd is ready; {@code events} are the EPOLL* bits. */
  @FunctionalInterface
  interface Handler {
    void ready(int events);
  }

  private final int epfd;
  private final int wakeFd;
  private final ConcurrentHashMap<Long, Handler> handlers = new ConcurrentHashMap<>();
  private final AtomicLong tokens = new AtomicLong(1);
  private final Thread thread;
  private volatile boolean running = true;
  private final ConcurrentLinkedQueue<Timer> newTimers = new ConcurrentLinkedQueue<>();
  // Confined to the loop thread.
  private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> Long.compare(a.deadline - b.deadline, 0));
  /**
   * Cancelled timers stay in the heap until purged: a connect timeout is cancelled as soon as the
   * connect ends, long before its deadline. Purging when the heap doubles keeps it within twice
   * the live timers, at amortised constant cost.
   */
  private int purgeAt = MIN_PURGE;
  private static final int MIN_PURGE = 1024;

  /** A task to run on the loop at a deadline, unless cancelled first. */
  static final class Timer {
    final long deadline;
    final Runnable task;
    private volatile boolean cancelled;

    Timer(long deadline, Runnable task) {
      this.deadline = deadline;
      this.task = task;
    }

    /** The task will not run (harmless when it ran already). */
    void cancel() {
      cancelled = true;
    }
  }

  EventLoop(String name) throws SysCallException {
    epfd = (int) Libc.check("epoll_create1", Libc.epollCreate1(Sys.EPOLL_CLOEXEC));
    wakeFd = (int) Libc.check("eventfd", Libc.eventfd(0, Sys.EFD_CLOEXEC | Sys.EFD_NONBLOCK));
    add(wakeFd, Sys.EPOLLIN, events -> drainWake());
    thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  /** A token for {@link #add}, known before the handler can first run. */
  long nextToken() {
    return tokens.getAndIncrement();
  }

  /** Watches {@code fd}; returns the token that {@link #remove} takes. */
  long add(int fd, int events, Handler handler) throws SysCallException {
    return add(nextToken(), fd, events, handler);
  }

  /** Watches {@code fd} under a token from {@link #nextToken}. */
  long add(long token, int fd, int events, Handler handler) throws SysCallException {
    handlers.put(token, handler);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ev = EpollEventStruct.allocate(arena, 1);
      EpollEventStruct.set(ev, 0, events, token);
      int r = Libc.epollCtl(epfd, Sys.EPOLL_CTL_ADD, fd, ev);
      if (r < 0) {
        handlers.remove(token);
        throw new SysCallException("epoll_ctl(ADD)", -r);
      }
    }
    return token;
  }

  /** Stops watching {@code fd} (before it is closed). Harmless when already removed. */
  void remove(int fd, long token) {
    handlers.remove(token);
    Libc.epollCtl(epfd, Sys.EPOLL_CTL_DEL, fd, MemorySegment.NULL);
  }

  /** Runs {@code task} on the loop thread after {@code delay}; thread-safe. */
  Timer schedule(Duration delay, Runnable task) {
    Timer t = new Timer(System.nanoTime() + delay.toNanos(), task);
    newTimers.add(t);
    if (!inLoop()) {
      wake(); // the loop may be waiting past the new deadline
    }
    return t;
  }

  boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  private void run() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment events = EpollEventStruct.allocate(arena, MAX_EVENTS);
      while (running) {
        int n = Libc.epollWait(epfd, events, MAX_EVENTS, waitMillis());
        if (n < 0) {
          if (n == -Errno.EINTR) {
            continue;
          }
          log.error("[bridge] epoll_wait failed: {}; the bridge stops", Errno.describe(-n));
          return;
        }
        for (int i = 0; i < n; i++) {
          dispatch(EpollEventStruct.data(events, i), EpollEventStruct.events(events, i));
        }
        runDueTimers();
      }
    }
  }

  /** Up to the next timer's deadline (rounded up), at most a second. */
  private int waitMillis() {
    takeNewTimers();
    Timer next = timers.peek();
    if (next == null) {
      return 1000;
    }
    long nanos = next.deadline - System.nanoTime();
    return nanos <= 0 ? 0 : (int) Math.min(1000, (nanos + 999_999) / 1_000_000);
  }

  private void takeNewTimers() {
    for (Timer t; (t = newTimers.poll()) != null; ) {
      timers.add(t);
    }
    if (timers.size() >= purgeAt) {
      timers.removeIf(t -> t.cancelled);
      purgeAt = Math.max(MIN_PURGE, 2 * timers.size());
    }
  }

  /** For tests: timers held, cancelled or not (read on the loop thread only). */
  int heldTimers() {
    return timers.size();
  }

  private void runDueTimers() {
    takeNewTimers();
    long now = System.nanoTime();
    while (!timers.isEmpty() && timers.peek().deadline - now <= 0) {
      Timer t = timers.poll();
      if (!t.cancelled) {
        try {
          t.task.run();
        } catch (RuntimeException e) {
          log.error("[bridge] timer failed", e);
        }
      }
    }
  }

  private void wake() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment one = arena.allocate(JAVA_LONG);
      one.set(JAVA_LONG, 0, 1L);
      Libc.write(wakeFd, one, 8);
    }
  }

  private void dispatch(long token, int events) {
    Handler h = handlers.get(token);
    if (h == null) {
      return;
    }
    try {
      h.ready(events);
    } catch (RuntimeException e) {
      // One bad notification must not stop the bridge for every other app.
      log.error("[bridge] handler failed", e);
    }
  }

  private void drainWake() {
    try (Arena arena = Arena.ofConfined()) {
      Libc.read(wakeFd, arena.allocate(JAVA_LONG), 8);
    }
  }

  @Override
  public void close() {
    running = false;
    wake();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Libc.close(wakeFd);
    Libc.close(epfd);
  }
}
