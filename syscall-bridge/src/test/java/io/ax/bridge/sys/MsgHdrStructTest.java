package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** {@code struct msghdr} and {@code struct iovec} through a segment, at the kernel's offsets. */
class MsgHdrStructTest {

  @Test
  void allocate_fresh_isAllZero() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment msg = MsgHdrStruct.allocate(arena);

      assertThat(msg.byteSize()).isEqualTo(56);
      assertThat(msg.toArray(JAVA_LONG)).containsOnly(0L); // no name, no control: recvmsg's defaults
    }
  }

  @Test
  void setters_everyField_landAtKernelOffsetsAndReadBack() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment name = arena.allocate(16, 8);
      MemorySegment buf = arena.allocate(100);
      MemorySegment iov = IovecStruct.allocate(arena, buf);
      MemorySegment control = arena.allocate(CmsgHdrStruct.space(16), 8);
      MemorySegment msg = MsgHdrStruct.allocate(arena);

      MsgHdrStruct.setName(msg, name);
      MsgHdrStruct.setIov(msg, iov, 1);
      MsgHdrStruct.setControl(msg, control);
      msg.set(JAVA_INT, 48, 0x8); // as recvmsg sets MSG_CTRUNC

      assertThat(msg.get(JAVA_LONG, 0)).isEqualTo(name.address());
      assertThat(msg.get(JAVA_INT, 8)).isEqualTo(16);
      assertThat(msg.get(JAVA_INT, 12)).as("padding").isZero();
      assertThat(msg.get(JAVA_LONG, 16)).isEqualTo(iov.address());
      assertThat(msg.get(JAVA_LONG, 24)).isEqualTo(1);
      assertThat(msg.get(JAVA_LONG, 32)).isEqualTo(control.address());
      assertThat(msg.get(JAVA_LONG, 40)).isEqualTo(32);
      assertThat(MsgHdrStruct.nameLength(msg)).isEqualTo(16);
      assertThat(MsgHdrStruct.iovLength(msg)).isEqualTo(1);
      assertThat(MsgHdrStruct.controlLength(msg)).isEqualTo(32);
      assertThat(MsgHdrStruct.flags(msg)).isEqualTo(0x8);
    }
  }

  @Test
  void controlLength_rewrittenAtOffset40_readsWhatTheKernelUsed() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment msg = MsgHdrStruct.allocate(arena);
      MsgHdrStruct.setControl(msg, arena.allocate(32, 8));

      msg.set(JAVA_LONG, 40, 20); // recvmsg: CMSG_LEN(one fd)

      assertThat(MsgHdrStruct.controlLength(msg)).isEqualTo(20);
    }
  }

  @Test
  void iovec_ourBuffer_pointsAtItsAddressAndSize() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(300);

      MemorySegment iov = IovecStruct.allocate(arena, buf);

      assertThat(iov.byteSize()).isEqualTo(16);
      assertThat(iov.get(JAVA_LONG, 0)).isEqualTo(buf.address());
      assertThat(iov.get(JAVA_LONG, 8)).isEqualTo(300);
      assertThat(IovecStruct.base(iov)).isEqualTo(buf.address());
      assertThat(IovecStruct.length(iov)).isEqualTo(300);
    }
  }

  @Test
  void iovec_remoteAddress_isWrittenAsGiven() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment iov = arena.allocate(IovecStruct.LAYOUT);

      IovecStruct.writeRemote(iov, 0x7ffd_1234_5678L, 28);

      assertThat(iov.get(JAVA_LONG, 0)).isEqualTo(0x7ffd_1234_5678L);
      assertThat(iov.get(JAVA_LONG, 8)).isEqualTo(28);
      assertThat(IovecStruct.base(iov)).isEqualTo(0x7ffd_1234_5678L);
      assertThat(IovecStruct.length(iov)).isEqualTo(28);
    }
  }
}
