package io.ax.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct stat} as fstat(2) fills it on x86_64 (arch/x86/include/uapi/asm/stat.h, the
 * 64-bit one, which glibc's {@code struct stat} matches): 144 bytes, {@code st_ino} at 8,
 * {@code st_nlink} before {@code st_mode} (unlike most architectures), {@code st_mode} at 24.
 * Only the inode and the mode are read. Stateless: the segments are the caller's.
 */
final class StatStruct {
  static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_LONG.withName("st_dev"),
      JAVA_LONG.withName("st_ino"),
      JAVA_LONG.withName("st_nlink"),
      JAVA_INT.withName("st_mode"),
      JAVA_INT.withName("st_uid"),
      JAVA_INT.withName("st_gid"),
      JAVA_INT.withName("__pad0"),
      JAVA_LONG.withName("st_rdev"),
      JAVA_LONG.withName("st_size"),
      JAVA_LONG.withName("st_blksize"),
      JAVA_LONG.withName("st_blocks"),
      JAVA_LONG.withName("st_atime"),
      JAVA_LONG.withName("st_atime_nsec"),
      JAVA_LONG.withName("st_mtime"),
      JAVA_LONG.withName("st_mtime_nsec"),
      JAVA_LONG.withName("st_ctime"),
      JAVA_LONG.withName("st_ctime_nsec"),
      MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("__unused"));
  static final long SIZE = LAYOUT.byteSize();

  /** The file type bits of {@code st_mode} (inode(7)). */
  static final int S_IFMT = 0170000;
  static final int S_IFSOCK = 0140000;
  static final int S_IFREG = 0100000;

  private static final VarHandle INO = LAYOUT.varHandle(groupElement("st_ino"));
  private static final VarHandle MODE = LAYOUT.varHandle(groupElement("st_mode"));

  private StatStruct() {}

  static long inode(MemorySegment st) {
    return (long) INO.get(st, 0L);
  }

  /** The file type and permission bits. */
  static int mode(MemorySegment st) {
    return (int) MODE.get(st, 0L);
  }
}
