package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code struct cmsghdr} and the CMSG_* arithmetic of cmsg(3), as glibc computes it on x86_64. */
class CmsgHdrStructTest {

  @ParameterizedTest(name = "CMSG_ALIGN({0}) = {1}")
  @CsvSource({"0, 0", "1, 8", "4, 8", "8, 8", "9, 16", "16, 16", "17, 24"})
  void align_length_roundsUpToSizeT(long length, long aligned) {
    assertThat(CmsgHdrStruct.align(length)).isEqualTo(aligned);
  }

  @ParameterizedTest(name = "{0} bytes of data: CMSG_LEN {1}, CMSG_SPACE {2}")
  @CsvSource({
      "0, 16, 16",
      "4, 20, 24", // one fd
      "8, 24, 24", // two fds
      "12, 28, 32",
      "16, 32, 32", // four fds: the registration's room
      "20, 36, 40",
  })
  void lenAndSpace_dataLength_matchTheMacros(long data, long len, long space) {
    assertThat(CmsgHdrStruct.len(data)).isEqualTo(len);
    assertThat(CmsgHdrStruct.space(data)).isEqualTo(space);
  }

  @Test
  void write_rightsHeader_landsAtKernelOffsetsAndReadsBack() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment cmsg = arena.allocate(CmsgHdrStruct.space(8), 8);

      CmsgHdrStruct.write(cmsg, Sys.SOL_SOCKET, Sys.SCM_RIGHTS, 8);
      CmsgHdrStruct.data(cmsg, CmsgHdrStruct.len(8)).copyFrom(MemorySegment.ofArray(new int[] {7, 9}));

      assertThat(cmsg.get(JAVA_LONG, 0)).isEqualTo(24);
      assertThat(cmsg.get(JAVA_INT, 8)).isEqualTo(Sys.SOL_SOCKET);
      assertThat(cmsg.get(JAVA_INT, 12)).isEqualTo(Sys.SCM_RIGHTS);
      assertThat(cmsg.get(JAVA_INT, 16)).isEqualTo(7);
      assertThat(cmsg.get(JAVA_INT, 20)).isEqualTo(9);
      assertThat(CmsgHdrStruct.length(cmsg)).isEqualTo(24);
      assertThat(CmsgHdrStruct.level(cmsg)).isEqualTo(Sys.SOL_SOCKET);
      assertThat(CmsgHdrStruct.type(cmsg)).isEqualTo(Sys.SCM_RIGHTS);
      assertThat(CmsgHdrStruct.data(cmsg, CmsgHdrStruct.length(cmsg)).toArray(JAVA_INT)).containsExactly(7, 9);
    }
  }
}
