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
 * check, answer. {@link #receive} is for the one thread that polls the fd; the answers may come
 * from any thread. Answers to a target that was interrupted or died fail with ENOENT, which is
 * normal (the call is restarted and arrives again, or nobody waits any more).
 */
public final class SeccompListener implements AutoCloseable {
  private static final ThreadLocal<MemorySegment> RESP = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SeccompNotifRespStruct.LAYOUT));
  private static final ThreadLocal<MemorySegment> ADDFD = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SeccompNotifAddfdStruct.LAYOUT));
  private static final ThreadLocal<MemorySegment> ID = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(JAVA_LONG));

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

  /** True while the target still waits for the answer to {@code id} (its pid is not reused). */
  public boolean isValid(long id) {
    if (!enter()) {
      return false;
    }
    try {
      MemorySegment seg = ID.get();
      seg.set(JAVA_LONG, 0, id);
      return Libc.ioctl(fd, Sys.SECCOMP_IOCTL_NOTIF_ID_VALID, seg) == 0;
    } finally {
      exit();
    }
  }

  /** Answers with a return value. Returns false when the target no longer waits. */
  public boolean answer(long id, long value) {
    return send(id, value, 0, 0);
  }

  /** Answers with a failure: the target's call returns -1 with {@code errno}. */
  public boolean fail(long id, int errno) {
    return send(id, 0, -errno, 0);
  }

  /**
   * Lets the kernel run the call as the target made it. Only for calls whose outcome does not
   * depend on the target's memory (which it could change after our check).
   */
  public boolean proceed(long id) {
    return send(id, 0, 0, Sys.SECCOMP_USER_NOTIF_FLAG_CONTINUE);
  }

  private boolean send(long id, long val, int error, int flags) {
    if (!enter()) {
      return false;
    }
    try {
      MemorySegment resp = RESP.get();
      SeccompNotifRespStruct.write(resp, id, val, error, flags);
      return Libc.ioctl(fd, Sys.SECCOMP_IOCTL_NOTIF_SEND, resp) == 0;
    } finally {
      exit();
    }
  }

  /**
   * Installs our {@code srcFd} in the target and answers its call with the new fd number, in one
   * step ({@code SECCOMP_ADDFD_FLAG_SEND}), so the target never sees a half-installed socket.
   *
   * @param cloexec whether the target's fd gets O_CLOEXEC
   * @return the target's fd number, or {@code -errno}
   */
  public int installAndAnswer(long id, int srcFd, boolean cloexec) {
    if (!enter()) {
      return -Errno.ENOENT;
    }
    try {
      MemorySegment addfd = ADDFD.get();
      SeccompNotifAddfdStruct.write(addfd, id, Sys.SECCOMP_ADDFD_FLAG_SEND, srcFd, 0, cloexec ? Sys.O_CLOEXEC : 0);
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
