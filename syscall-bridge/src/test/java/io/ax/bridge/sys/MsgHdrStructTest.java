package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * {@code struct msghdr}, {@code struct mmsghdr} and {@code struct iovec} through a segment, at the
 * kernel's offsets; and a header copied out of another process, read through {@link StructCopy}.
 */
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

  @Test
  void accessors_headerCopiedFromAnotherProcess_readItsPointersAsAddresses() {
    byte[] bytes = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(0, 0x7fff_0000_1000L).putInt(8, 16)
        .putLong(16, 0x7fff_0000_2000L).putLong(24, 3)
        .putLong(32, 0x7fff_0000_3000L).putLong(40, 28)
        .putInt(48, 0x40).array();

    MemorySegment msg = StructCopy.of(bytes);

    assertThat(MsgHdrStruct.name(msg)).isEqualTo(0x7fff_0000_1000L);
    assertThat(MsgHdrStruct.nameLength(msg)).isEqualTo(16);
    assertThat(MsgHdrStruct.iov(msg)).isEqualTo(0x7fff_0000_2000L);
    assertThat(MsgHdrStruct.iovLength(msg)).isEqualTo(3);
    assertThat(MsgHdrStruct.control(msg)).isEqualTo(0x7fff_0000_3000L);
    assertThat(MsgHdrStruct.controlLength(msg)).isEqualTo(28);
    assertThat(MsgHdrStruct.flags(msg)).isEqualTo(0x40);
  }

  @Test
  void structCopy_oddLength_isExactLongAlignedAndACopy() {
    byte[] bytes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};

    MemorySegment copy = StructCopy.of(bytes);
    bytes[0] = 99;

    assertThat(copy.byteSize()).isEqualTo(13);
    assertThat(copy.maxByteAlignment()).isGreaterThanOrEqualTo(JAVA_LONG.byteAlignment());
    assertThat(copy.toArray(JAVA_BYTE)).startsWith((byte) 1, (byte) 2).endsWith((byte) 13);
  }

  @Test
  void iovec_arrayCopiedFromAnotherProcess_readsEachElement() {
    byte[] bytes = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(0, 0x7fff_0000_6000L).putLong(8, 2)
        .putLong(16, 0x7fff_0000_7000L).putLong(24, 5).array();

    MemorySegment iovs = StructCopy.of(bytes);
    MemorySegment second = iovs.asSlice(IovecStruct.SIZE, IovecStruct.LAYOUT);

    assertThat(IovecStruct.base(iovs)).isEqualTo(0x7fff_0000_6000L);
    assertThat(IovecStruct.length(iovs)).isEqualTo(2);
    assertThat(IovecStruct.base(second)).isEqualTo(0x7fff_0000_7000L);
    assertThat(IovecStruct.length(second)).isEqualTo(5);
  }

  @Test
  void mmsghdr_vector_elementsAre64BytesApartWithMsgLenAt56() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mmsg = arena.allocate(MMsgHdrStruct.LAYOUT);

      MMsgHdrStruct.setMessageLength(mmsg, 1200);
      MsgHdrStruct.setIov(MMsgHdrStruct.header(mmsg), arena.allocate(IovecStruct.LAYOUT), 1);

      assertThat(MMsgHdrStruct.element(0x7fff_0000_4000L, 2)).isEqualTo(0x7fff_0000_4000L + 128);
      assertThat(MMsgHdrStruct.MSG_HDR_OFFSET).isZero();
      assertThat(MMsgHdrStruct.MSG_LEN_OFFSET).isEqualTo(56);
      assertThat(mmsg.get(JAVA_INT, 56)).isEqualTo(1200);
      assertThat(MMsgHdrStruct.messageLength(mmsg)).isEqualTo(1200);
      assertThat(MMsgHdrStruct.header(mmsg).byteSize()).isEqualTo(56);
      assertThat(mmsg.get(JAVA_LONG, 24)).as("the header's msg_iovlen, inside the element").isEqualTo(1);
    }
  }
}
