package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Target#read} and {@link Target#write} on this process's own memory (process_vm_readv(2)
 * and writev on oneself need no privilege): the scratch path for short reads, the per-call arena
 * for long ones, their iovecs built by {@link IovecStruct}.
 */
class TargetMemoryTest {
  private static final int SELF = (int) ProcessHandle.current().pid();

  private final Arena arena = Arena.ofConfined();
  private final Scratch scratch = new Scratch(arena);

  @AfterEach
  void close() {
    arena.close();
  }

  private MemorySegment mapped(byte[] bytes) {
    return arena.allocateFrom(JAVA_BYTE, bytes);
  }

  private static byte[] pattern(int len) {
    byte[] b = new byte[len];
    for (int i = 0; i < len; i++) {
      b[i] = (byte) (i * 7 + 1);
    }
    return b;
  }

  @Test
  void read_shortRange_returnsTheBytesThroughTheScratch() throws SysCallException {
    MemorySegment there = mapped(pattern(28));

    assertThat(Target.read(scratch, SELF, there.address(), 28)).isEqualTo(pattern(28));
  }

  @Test
  void read_exactlyTheScratchSize_returnsTheBytes() throws SysCallException {
    MemorySegment there = mapped(pattern(Scratch.SMALL_READ));

    assertThat(Target.read(scratch, SELF, there.address(), Scratch.SMALL_READ)).isEqualTo(pattern(Scratch.SMALL_READ));
  }

  @Test
  void read_longerThanTheScratch_returnsTheBytesThroughItsOwnArena() throws SysCallException {
    MemorySegment there = mapped(pattern(3000));

    assertThat(Target.read(scratch, SELF, there.address(), 3000)).isEqualTo(pattern(3000));
  }

  @Test
  void read_twoShortReadsInARow_eachGetsItsOwnBytes() throws SysCallException {
    MemorySegment first = mapped(pattern(16));
    MemorySegment second = mapped(new byte[] {9, 8, 7});

    byte[] a = Target.read(scratch, SELF, first.address(), 16);
    byte[] b = Target.read(scratch, SELF, second.address(), 3);

    assertThat(a).isEqualTo(pattern(16));
    assertThat(b).containsExactly(9, 8, 7);
  }

  @Test
  void read_unmappedAddress_isEfault() {
    assertThatThrownBy(() -> Target.read(scratch, SELF, 0L, 16))
        .isInstanceOfSatisfying(SysCallException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EFAULT));
    assertThatThrownBy(() -> Target.read(scratch, SELF, 0L, 2000))
        .isInstanceOfSatisfying(SysCallException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EFAULT));
  }

  @Test
  void write_thenRead_roundTrips() throws SysCallException {
    MemorySegment there = mapped(new byte[600]);

    Target.write(SELF, there.address() + 4, pattern(590));

    assertThat(there.asSlice(4, 590).toArray(JAVA_BYTE)).isEqualTo(pattern(590));
    assertThat(Arrays.copyOf(there.toArray(JAVA_BYTE), 4)).containsOnly(0);
    assertThat(Target.read(scratch, SELF, there.address() + 4, 590)).isEqualTo(pattern(590));
  }

  @Test
  void writeInt_readInt_littleEndianRoundTrip() throws SysCallException {
    MemorySegment there = mapped(new byte[4]);

    Target.writeInt(SELF, there.address(), 0x0102_0304);

    assertThat(there.toArray(JAVA_BYTE)).containsExactly(4, 3, 2, 1);
    assertThat(Target.readInt(scratch, SELF, there.address())).isEqualTo(0x0102_0304);
  }

  @Test
  void write_unmappedAddress_isEfault() {
    assertThatThrownBy(() -> Target.write(SELF, 0L, new byte[] {1}))
        .isInstanceOfSatisfying(SysCallException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EFAULT));
  }
}
