package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code struct stat}: the fields read at their offsets, then fstat(2) of real files and sockets
 * against what the JDK and /proc say about them (no root).
 */
class StatStructTest {
  @TempDir Path dir;

  @Test
  void inodeAndMode_writtenAtKernelOffsets_readBack() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = arena.allocate(StatStruct.LAYOUT);
      st.set(JAVA_LONG, 8, 0x1_0000_0001L);
      st.set(JAVA_INT, 24, StatStruct.S_IFSOCK | 0777);

      assertThat(StatStruct.inode(st)).isEqualTo(0x1_0000_0001L);
      assertThat(StatStruct.mode(st)).isEqualTo(StatStruct.S_IFSOCK | 0777);
      assertThat(StatStruct.mode(st) & StatStruct.S_IFMT).isEqualTo(StatStruct.S_IFSOCK);
    }
  }

  @Test
  void fstat_regularFile_givesTheInodeAndModeTheJdkReads() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    try (FileChannel open = FileChannel.open(file); Arena arena = Arena.ofConfined()) {
      MemorySegment st = arena.allocate(StatStruct.LAYOUT);

      assertThat(Libc.fstat(OpenFds.fdOf(file), st)).isZero();

      assertThat(StatStruct.inode(st)).isEqualTo((long) Files.getAttribute(file, "unix:ino"));
      assertThat(StatStruct.mode(st)).isEqualTo((int) Files.getAttribute(file, "unix:mode"));
      assertThat(StatStruct.mode(st) & StatStruct.S_IFMT).isEqualTo(StatStruct.S_IFREG);
    }
  }

  @Test
  void socketInode_socket_isTheInodeProcNamesIt() throws SysCallException {
    int fd = (int) Libc.check("socket", Libc.socket(Sys.AF_INET, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0));
    try {
      long inode = socketInode(fd);

      assertThat(inode).isPositive();
      assertThat(OpenFds.link(fd)).isEqualTo("socket:[" + inode + "]");
    } finally {
      Libc.close(fd);
    }
  }

  @Test
  void socketInode_regularFile_isEnotsock() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    try (FileChannel open = FileChannel.open(file)) {
      assertThat(socketInode(OpenFds.fdOf(file))).isEqualTo(-Errno.ENOTSOCK);
    }
  }

  @Test
  void socketInode_invalidFd_isEbadf() {
    assertThat(socketInode(-1)).isEqualTo(-Errno.EBADF);
  }

  @Test
  void socketInode_twoFdsThroughOneScratch_eachGetsItsOwn() throws SysCallException {
    int a = (int) Libc.check("socket", Libc.socket(Sys.AF_INET, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0));
    int b = (int) Libc.check("socket", Libc.socket(Sys.AF_INET, Sys.SOCK_DGRAM | Sys.SOCK_CLOEXEC, 0));
    try (Arena arena = Arena.ofConfined()) {
      Scratch scratch = new Scratch(arena);

      long first = Target.socketInode(scratch, a);
      long second = Target.socketInode(scratch, b);

      assertThat(OpenFds.link(a)).isEqualTo("socket:[" + first + "]");
      assertThat(OpenFds.link(b)).isEqualTo("socket:[" + second + "]");
      assertThat(scratch.stat().byteSize()).isEqualTo(StatStruct.SIZE);
    } finally {
      Libc.close(a);
      Libc.close(b);
    }
  }

  /** {@link Target#socketInode} through a scratch of its own, as a receiver's. */
  private static long socketInode(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      return Target.socketInode(new Scratch(arena), fd);
    }
  }
}
