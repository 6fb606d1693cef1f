package io.ax.bridge.seccomp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct seccomp_notif_addfd}: installs one of our fds in the target (24 bytes). */
final class SeccompNotifAddfdStruct {
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_LONG.withName("id"),
      JAVA_INT.withName("flags"),
      JAVA_INT.withName("srcfd"),
      JAVA_INT.withName("newfd"),
      JAVA_INT.withName("newfd_flags"));

  private SeccompNotifAddfdStruct() {}

  static void write(MemorySegment s, long id, int flags, int srcFd, int newFd, int newFdFlags) {
    s.set(JAVA_LONG, 0, id);
    s.set(JAVA_INT, 8, flags);
    s.set(JAVA_INT, 12, srcFd);
    s.set(JAVA_INT, 16, newFd);
    s.set(JAVA_INT, 20, newFdFlags);
  }
}
