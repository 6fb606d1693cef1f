package io.ax.bridge.seccomp;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Libc;
import io.ax.bridge.sys.Sys;
import io.ax.bridge.sys.SysCallException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A seccomp user-notification listener fd (seccomp_unotify(2)) that the daemon owns: receive,
 * check, answer. {@link #receive} is for the one thread that polls the fd (the app's receiver);
 * answers go through a {@link Notifier}: {@link #notifier} makes one confined to the calling
 * thread, whose buffers come from that thread's arena, and {@link Notifier#anyThread} one that
 * any thread may use. Answers to a target that was interrupted or died fail with ENOENT, which is
 * normal (the call is restarted and arrives again, or nobody waits any more).
 */
public final class SeccompListener implements AutoCloseable {
  private final int fd;
  private final MemorySegment recvBuffer = Arena.ofAuto().allocate(SeccompNotifStruct.LAYOUT);
  // Answers come from several threads (the app's receiver, virtual threads, the event loop):
  // the fd is closed only when the last of them is done with it, never under one of them,
  // since its number could name another file by then. Guarded by this.
  private int users;
  private boolean closing;
  private boolean fdClosed;

  /** Takes ownership of {@code fd}. */
  public SeccompListener(int fd) {
    this.fd = fd;
  }

  public int fd() {
    return fd;
  }

  /**
   * A notifier for this listener, confined to the calling thread: its three small buffers come
   * from {@code arena}, which the caller owns and closes after its last answer.
   */
  public Notifier notifier(Arena arena) {
    return new ConfinedNotifier(arena);
  }

  /**
   * Asks the kernel to wake the target on the CPU that answers
   * ({@code SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP}, Linux 6.6): much faster round trips.
   */
  public void enableSyncWakeUp() throws SysCallException {
    // The flags go by value: the kernel reads the ioctl argument itself, not what it points to.
    if (!enter()) {
      throw new SysCallException("ioctl(SECCOMP_IOCTL_NOTIF_SET_FLAGS)", Errno.EBADF);
    }
    try {
      Libc.check("ioctl(SECCOMP_IOCTL_NOTIF_SET_FLAGS)", Libc.ioctlValue(fd, Sys.SECCOMP_IOCTL_NOTIF_SET_FLAGS, Sys.SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP));
    } finally {
      exit();
    }
  }

  /**
   * Receives one pending notification. Call when the fd polls readable; ENOENT means the target
   * went away between the poll and the receive.
   */
  public Notification receive() throws SysCallException {
    if (!enter()) {
      throw new SysCallException("ioctl(SECCOMP_IOCTL_NOTIF_RECV)", Errno.EBADF);
    }
    try {
      recvBuffer.fill((byte) 0); // the kernel refuses a buffer that is not zeroed
      int r = Libc.ioctl(fd, Sys.SECCOMP_IOCTL_NOTIF_RECV, recvBuffer);
      Libc.check("ioctl(SECCOMP_IOCTL_NOTIF_RECV)", r);
      return SeccompNotifStruct.read(recvBuffer);
    } finally {
      exit();
    }
  }

  /**
   * The answers through buffers of one thread's arena: no allocation per answer on the hot path.
   * Confined to the thread that owns the arena.
   */
  private final class ConfinedNotifier implements Notifier {
    private final MemorySegment resp;
    private final MemorySegment addfd;
    private final MemorySegment id;

    ConfinedNotifier(Arena arena) {
      this.resp = arena.allocate(SeccompNotifRespStruct.LAYOUT);
      this.addfd = arena.allocate(SeccompNotifAddfdStruct.LAYOUT);
      this.id = arena.allocate(JAVA_LONG);
    }

    @Override
    public boolean isValid(long notificationId) {
      return checkValid(id, notificationId);
    }

    @Override
    public boolean answer(long notificationId, long value) {
      return send(resp, notificationId, value, 0, 0);
    }

    @Override
    public boolean fail(long notificationId, int errno) {
      return send(resp, notificationId, 0, -errno, 0);
    }

    @Override
    public boolean proceed(long notificationId) {
      return send(resp, notificationId, 0, 0, Sys.SECCOMP_USER_NOTIF_FLAG_CONTINUE);
    }

    @Override
    public int installAndAnswer(long notificationId, int srcFd, OnExec onExec) {
      return addFd(addfd, notificationId, srcFd, ANY_FREE_FD, onExec);
    }

    @Override
    public int installAtAndAnswer(long notificationId, int srcFd, int targetFd, OnExec onExec) {
      return addFd(addfd, notificationId, srcFd, targetFd, onExec);
    }

    @Override
    public Notifier anyThread() {
      return new AnyThreadNotifier();
    }
  }

  /**
   * Answers from any thread, each in a confined arena of its own: for the rare answers that come
   * from elsewhere than a receiver (connects finishing on the event loop). Stateless.
   */
  private final class AnyThreadNotifier implements Notifier {
    @Override
    public boolean isValid(long notificationId) {
      try (Arena arena = Arena.ofConfined()) {
        return checkValid(arena.allocate(JAVA_LONG), notificationId);
      }
    }

    @Override
    public boolean answer(long notificationId, long value) {
      try (Arena arena = Arena.ofConfined()) {
        return send(arena.allocate(SeccompNotifRespStruct.LAYOUT), notificationId, value, 0, 0);
      }
    }

    @Override
    public boolean fail(long notificationId, int errno) {
      try (Arena arena = Arena.ofConfined()) {
        return send(arena.allocate(SeccompNotifRespStruct.LAYOUT), notificationId, 0, -errno, 0);
      }
    }

    @Override
    public boolean proceed(long notificationId) {
      try (Arena arena = Arena.ofConfined()) {
        return send(arena.allocate(SeccompNotifRespStruct.LAYOUT), notificationId, 0, 0, Sys.SECCOMP_USER_NOTIF_FLAG_CONTINUE);
      }
    }

    @Override
    public int installAndAnswer(long notificationId, int srcFd, OnExec onExec) {
      try (Arena arena = Arena.ofConfined()) {
        return addFd(arena.allocate(SeccompNotifAddfdStruct.LAYOUT), notificationId, srcFd, ANY_FREE_FD, onExec);
      }
    }

    @Override
    public int installAtAndAnswer(long notificationId, int srcFd, int targetFd, OnExec onExec) {
      try (Arena arena = Arena.ofConfined()) {
        return addFd(arena.allocate(SeccompNotifAddfdStruct.LAYOUT), notificationId, srcFd, targetFd, onExec);
      }
    }

    @Override
    public Notifier anyThread() {
      return this;
    }
  }

  private boolean checkValid(MemorySegment seg, long id) {
    if (!enter()) {
      return false;
    }
    try {
      seg.set(JAVA_LONG, 0, id);
      return Libc.ioctl(fd, Sys.SECCOMP_IOCTL_NOTIF_ID_VALID, seg) == 0;
    } finally {
      exit();
    }
  }

  private boolean send(MemorySegment resp, long id, long val, int error, int flags) {
    if (!enter()) {
      return false;
    }
    try {
      SeccompNotifRespStruct.write(resp, id, val, error, flags);
      return Libc.ioctl(fd, Sys.SECCOMP_IOCTL_NOTIF_SEND, resp) == 0;
    } finally {
      exit();
    }
  }

  /** {@code targetFd} for "the lowest free number", as the kernel picks for a new fd. */
  private static final int ANY_FREE_FD = -1;

  private int addFd(MemorySegment addfd, long id, int srcFd, int targetFd, Notifier.OnExec onExec) {
    if (!enter()) {
      return -Errno.ENOENT;
    }
    try {
      int newFdFlags = onExec == Notifier.OnExec.CLOSE ? Sys.O_CLOEXEC : 0;
      // SETFD installs at targetFd exactly, replacing what is there (as dup2 does).
      int flags = Sys.SECCOMP_ADDFD_FLAG_SEND | (targetFd == ANY_FREE_FD ? 0 : Sys.SECCOMP_ADDFD_FLAG_SETFD);
      SeccompNotifAddfdStruct.write(addfd, id, flags, srcFd, targetFd == ANY_FREE_FD ? 0 : targetFd, newFdFlags);
      return Libc.ioctl(fd, Sys.SECCOMP_IOCTL_NOTIF_ADDFD, addfd);
    } finally {
      exit();
    }
  }

  private synchronized boolean enter() {
    if (closing) {
      return false;
    }
    users++;
    return true;
  }

  private void exit() {
    boolean closeNow;
    synchronized (this) {
      users--;
      closeNow = closing && users == 0 && !fdClosed;
      fdClosed |= closeNow;
    }
    if (closeNow) {
      Libc.close(fd);
    }
  }

  /** No new use starts; the fd closes when the last use in progress ends. Harmless twice. */
  @Override
  public void close() {
    boolean closeNow;
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
      closeNow = users == 0;
      fdClosed |= closeNow;
    }
    if (closeNow) {
      Libc.close(fd);
    }
  }

  /** ENOENT from an answer: the target was interrupted or exited. */
  public static boolean isGone(int errno) {
    return errno == Errno.ENOENT;
  }
}
