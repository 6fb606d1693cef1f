package io.ax.bridge.seccomp;

/**
 * One trapped system call ({@code struct seccomp_notif}): its id for the answer, the calling
 * thread, the system call number and its six raw arguments. Pointer arguments point into the
 * target's memory and may change under us: read them once, check the id, then act on our copy.
 */
public record Notification(long id, int pid, int nr, int arch, long[] args) {
  public Notification {
    if (args.length != 6) {
      throw new IllegalArgumentException("a system call has 6 argument slots, got " + args.length);
    }
  }

  public long arg(int i) {
    return args[i];
  }

  /** The argument as a C {@code int} (the low 32 bits, as the kernel reads it). */
  public int intArg(int i) {
    return (int) args[i];
  }
}
