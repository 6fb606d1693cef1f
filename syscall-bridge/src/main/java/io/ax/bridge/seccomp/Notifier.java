package io.ax.bridge.seccomp;

/**
 * How a handler answers trapped calls of one app (seccomp_unotify(2)): the seam between the call
 * handlers and the listener fd, so that handlers can be tested without a kernel.
 *
 * <p>Contract:
 * <ul>
 *   <li>Each notification is answered at most once, by exactly one of {@link #answer},
 *       {@link #fail}, {@link #proceed}, {@link #installAndAnswer} or {@link #installAtAndAnswer}. An answer returns false (or
 *       ENOENT) when the target no longer waits: it was interrupted (the call is restarted and
 *       arrives again as a new notification) or it exited. That is normal, not an error.
 *   <li>{@link #isValid} is the {@code SECCOMP_IOCTL_NOTIF_ID_VALID} check: call it after reading
 *       the target's memory and before acting on what was read, since a pid may be reused.
 *   <li>An instance is confined to the thread that made it (it reuses that thread's buffers),
 *       except one from {@link #anyThread}, which any thread may use.
 * </ul>
 */
public interface Notifier {

  /** True while the target still waits for the answer to {@code id} (its pid is not reused). */
  boolean isValid(long id);

  /** Answers with a return value. Returns false when the target no longer waits. */
  boolean answer(long id, long value);

  /** Answers with a failure: the target's call returns -1 with {@code errno}. */
  boolean fail(long id, int errno);

  /**
   * Lets the kernel run the call as the target made it. Only for calls whose outcome does not
   * depend on the target's memory (which it could change after our check).
   */
  boolean proceed(long id);

  /**
   * Installs our {@code srcFd} in the target and answers its call with the new fd number, in one
   * step ({@code SECCOMP_ADDFD_FLAG_SEND}), so the target never sees a half-installed socket.
   * Our {@code srcFd} stays ours to close.
   *
   * @return the target's fd number, or {@code -errno} (ENOENT: nobody waits any more)
   */
  int installAndAnswer(long id, int srcFd, OnExec onExec);

  /**
   * As {@link #installAndAnswer}, at fd number {@code targetFd} exactly
   * ({@code SECCOMP_ADDFD_FLAG_SETFD}): whatever the target held there is closed first, as by
   * dup2. The caller must know the number is free or meant to be replaced, and below the
   * target's RLIMIT_NOFILE (else EBADF/EMFILE).
   *
   * @return {@code targetFd}, or {@code -errno} (ENOENT: nobody waits any more)
   */
  int installAtAndAnswer(long id, int srcFd, int targetFd, OnExec onExec);

  /**
   * A notifier for the same app that any thread may use, for answers given later elsewhere (a
   * connect that finishes on the event loop). It may cost an allocation per answer.
   */
  Notifier anyThread();

  /** What happens to an installed fd when the target execs ({@code O_CLOEXEC} or not). */
  enum OnExec {
    CLOSE,
    KEEP
  }
}
