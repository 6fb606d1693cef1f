package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A struct (or an array of them) copied out of another process's memory, for the struct classes'
 * accessors to read: the bytes in a heap segment backed by a {@code long[]}, so that it is
 * aligned for their {@code size_t} and pointer fields (a segment over a {@code byte[]} is only
 * byte-aligned, and the layouts' handles refuse it). Pointers read from it are addresses in the
 * other process, never memory of ours. Stateless.
 */
public final class StructCopy {
  private StructCopy() {}

  /** An 8-byte-aligned copy of {@code bytes}, exactly as long (x86_64 little-endian, as read). */
  public static MemorySegment of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    MemorySegment copy = MemorySegment.ofArray(new long[(bytes.length + 7) / 8]).asSlice(0, bytes.length);
    MemorySegment.copy(bytes, 0, copy, JAVA_BYTE, 0, bytes.length);
    return copy;
  }
}
