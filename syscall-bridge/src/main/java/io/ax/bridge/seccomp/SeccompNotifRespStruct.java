package io.ax.bridge.seccomp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct seccomp_notif_resp}: the answer to one notification (24 bytes). */
final class SeccompNotifRespStruct {
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_LONG.withName("id"), JAVA_LONG.withName("val"), JAVA_INT.withName("error"), JAVA_INT.withName("flags"));

  private SeccompNotifRespStruct() {}

  /** {@code error} is a negated errno or 0, as the kernel returns it to the target. */
  static void write(MemorySegment s, long id, long val, int error, int flags) {
    s.set(JAVA_LONG, 0, id);
    s.set(JAVA_LONG, 8, val);
    s.set(JAVA_INT, 16, error);
    s.set(JAVA_INT, 20, flags);
  }
}
