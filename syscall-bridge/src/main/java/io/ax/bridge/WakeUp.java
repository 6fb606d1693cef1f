package io.ax.bridge;

/**
 * How the kernel wakes an app whose trapped call the bridge answered: a setting of the bridge
 * that the daemon's configuration chooses (the server reads it once, when a listener arrives).
 */
public enum WakeUp {
  /** SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP: on the answering CPU, a much shorter round trip. */
  SYNC,
  /** The scheduler's usual wake-up; for comparison in benchmarks. */
  DEFAULT
}
