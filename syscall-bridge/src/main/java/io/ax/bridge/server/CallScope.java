package io.ax.bridge.server;

import io.ax.bridge.seccomp.SeccompListener;
import io.ax.bridge.sys.PidfdCache;
import io.ax.bridge.sys.Scratch;
import java.lang.foreign.Arena;
import java.util.Optional;

/**
 * The native memory and pidfds of one thread that handles trapped calls of one app, and the
 * {@link Kernel} built on them: a receiver thread for its whole life, or a virtual thread for
 * one call. Opened on that thread, in a confined arena, and closed by it when it stops; replaces
 * the static {@code ThreadLocal} segments on automatic arenas that every thread used to grow.
 */
final class CallScope implements AutoCloseable {
  /** Whether the scope keeps pidfds between calls. */
  enum Pidfds {
    /** A receiver: one pidfd_getfd per call instead of pidfd_open, pidfd_getfd and close. */
    CACHED,
    /** One call: no cache to keep. */
    FRESH
  }

  private final Arena arena;
  private final Optional<PidfdCache> pidfds;
  private final Kernel kernel;

  private CallScope(SeccompListener listener, Pidfds mode) {
    this.arena = Arena.ofConfined();
    this.pidfds = mode == Pidfds.CACHED ? Optional.of(new PidfdCache()) : Optional.empty();
    Scratch scratch = new Scratch(arena);
    this.kernel = new Kernel(new LibcTargetProcess(scratch, pidfds), new LibcHostSockets(scratch), listener.notifier(arena));
  }

  /** Opens a scope for the calling thread, answering through {@code listener}. */
  static CallScope open(SeccompListener listener, Pidfds mode) {
    return new CallScope(listener, mode);
  }

  Kernel kernel() {
    return kernel;
  }

  /** Closes the pidfds and frees the memory; on the thread that opened the scope. */
  @Override
  public void close() {
    pidfds.ifPresent(PidfdCache::close);
    arena.close();
  }
}
