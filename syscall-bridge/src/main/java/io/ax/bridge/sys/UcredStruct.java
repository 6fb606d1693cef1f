package io.ax.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct ucred} (unix(7), SO_PEERCRED): 12 bytes, the pid, uid and gid of the peer when
 * it connected. Stateless: the segments are the caller's.
 */
final class UcredStruct {
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_INT.withName("pid"),
      JAVA_INT.withName("uid"),
      JAVA_INT.withName("gid"));
  static final int SIZE = (int) LAYOUT.byteSize();

  private static final VarHandle PID = LAYOUT.varHandle(groupElement("pid"));
  private static final VarHandle UID = LAYOUT.varHandle(groupElement("uid"));
  private static final VarHandle GID = LAYOUT.varHandle(groupElement("gid"));

  private UcredStruct() {}

  static int pid(MemorySegment cred) {
    return (int) PID.get(cred, 0L);
  }

  static int uid(MemorySegment cred) {
    return (int) UID.get(cred, 0L);
  }

  static int gid(MemorySegment cred) {
    return (int) GID.get(cred, 0L);
  }
}
