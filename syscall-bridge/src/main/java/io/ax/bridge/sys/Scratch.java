package io.ax.bridge.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The small native buffers one thread of the bridge reuses for the system calls it makes on an
 * app's behalf: the iovecs and bytes of a short {@code process_vm_readv}, a sockaddr, and an int
 * socket option with its length. Allocated once from an arena that the owning thread holds (a
 * receiver's confined arena, the event loop's), so a hot call allocates nothing.
 *
 * <p>Not thread-safe: confined to the thread that owns the arena, and valid until that arena
 * closes. This class closes nothing; whoever opened the arena closes it.
 */
public final class Scratch {
  /** Reads up to this many bytes go through {@link #readBuffer}; longer ones allocate their own. */
  public static final int SMALL_READ = 512;
  /** sizeof(struct sockaddr_storage). */
  public static final int SOCKADDR = 128;

  private final MemorySegment readBuffer;
  private final MemorySegment sockaddr;
  private final MemorySegment option;
  private final MemorySegment optionLength;

  public Scratch(Arena arena) {
    Objects.requireNonNull(arena, "arena");
    // Two struct iovec (local and remote, 16 bytes each), then the bytes themselves.
    this.readBuffer = arena.allocate(SMALL_READ + 32, 16);
    this.sockaddr = arena.allocate(SOCKADDR, 8);
    this.option = arena.allocate(ValueLayout.JAVA_LONG);
    this.optionLength = arena.allocate(ValueLayout.JAVA_INT);
  }

  /** 32 bytes of iovecs followed by {@link #SMALL_READ} bytes of data. */
  MemorySegment readBuffer() {
    return readBuffer;
  }

  /** Room for any sockaddr; callers fill the prefix they pass with its length. */
  public MemorySegment sockaddr() {
    return sockaddr;
  }

  /** An int socket option's value (8 bytes, so a long option fits too). */
  MemorySegment option() {
    return option;
  }

  /** A {@code socklen_t} for getsockopt. */
  MemorySegment optionLength() {
    return optionLength;
  }
}
