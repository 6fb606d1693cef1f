package io.ax.bridge.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The small native buffers one thread of the bridge reuses for the system calls it makes on an
 * app's behalf: the iovecs and bytes of a short {@code process_vm_readv}, a sockaddr, an int
 * socket option with its length, and a {@code struct stat}. Allocated once from an arena that the
 * owning thread holds (a receiver's confined arena, the event loop's), so a hot call allocates
 * nothing.
 *
 * <p>Not thread-safe: confined to the thread that owns the arena, and valid until that arena
 * closes. This class closes nothing; whoever opened the arena closes it.
 */
public final class Scratch {
  /** Reads up to this many bytes go through {@link #readBytes}; longer ones allocate their own. */
  public static final int SMALL_READ = 512;
  /** sizeof(struct sockaddr_storage). */
  public static final int SOCKADDR = 128;

  private final MemorySegment localIovec;
  private final MemorySegment remoteIovec;
  private final MemorySegment readBytes;
  private final MemorySegment sockaddr;
  private final MemorySegment option;
  private final MemorySegment optionLength;
  private final MemorySegment stat;

  public Scratch(Arena arena) {
    Objects.requireNonNull(arena, "arena");
    this.localIovec = arena.allocate(IovecStruct.LAYOUT);
    this.remoteIovec = arena.allocate(IovecStruct.LAYOUT);
    this.readBytes = arena.allocate(SMALL_READ, 16);
    this.sockaddr = arena.allocate(SOCKADDR, 8);
    this.option = arena.allocate(ValueLayout.JAVA_LONG);
    this.optionLength = arena.allocate(ValueLayout.JAVA_INT);
    this.stat = arena.allocate(StatStruct.LAYOUT);
  }

  /** The local side of a short {@code process_vm_readv}: one iovec over {@link #readBytes}. */
  MemorySegment localIovec() {
    return localIovec;
  }

  /** The remote side of a short {@code process_vm_readv}: one iovec in the target's memory. */
  MemorySegment remoteIovec() {
    return remoteIovec;
  }

  /** {@link #SMALL_READ} bytes for what a short read brings back. */
  MemorySegment readBytes() {
    return readBytes;
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

  /** A {@code struct stat} for fstat(2) ({@link StatStruct}). */
  MemorySegment stat() {
    return stat;
  }
}
