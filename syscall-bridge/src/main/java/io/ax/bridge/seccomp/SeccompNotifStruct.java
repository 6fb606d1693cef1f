package io.ax.bridge.seccomp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct seccomp_notif} (linux/seccomp.h): 80 bytes, with {@code struct seccomp_data} inside. */
final class SeccompNotifStruct {
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_LONG.withName("id"),
      JAVA_INT.withName("pid"),
      JAVA_INT.withName("flags"),
      JAVA_INT.withName("nr"),
      JAVA_INT.withName("arch"),
      JAVA_LONG.withName("instruction_pointer"),
      MemoryLayout.sequenceLayout(6, JAVA_LONG).withName("args"));
  static final long ARGS_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("args"));

  private SeccompNotifStruct() {}

  static Notification read(MemorySegment s) {
    long[] args = new long[6];
    for (int i = 0; i < 6; i++) {
      args[i] = s.get(JAVA_LONG, ARGS_OFFSET + 8L * i);
    }
    return new Notification(s.get(JAVA_LONG, 0), s.get(JAVA_INT, 8), s.get(JAVA_INT, 16), s.get(JAVA_INT, 20), args);
  }
}
