package io.ax.bridge.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AF_UNIX sockets against the real kernel, without root: sockaddr_un, SCM_RIGHTS (msghdr, iovec,
 * cmsghdr), SO_PEERCRED (ucred) and SO_RCVTIMEO (timeval). The sending side is what the launcher
 * does in C, written here with the same struct classes.
 */
class UnixSocketsTest {
  @TempDir Path dir;
  private final List<Integer> open = new ArrayList<>();
  private int server;
  private int client;

  @BeforeEach
  void connect() throws SysCallException {
    Path path = dir.resolve("ax.sock");
    int listener = track(UnixSockets.listen(path.toString(), 1));
    client = track((int) Libc.check("socket(AF_UNIX)", Libc.socket(Sys.AF_UNIX, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0)));
    byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment addr = SockaddrUnStruct.allocate(arena, p);
      Libc.check("connect", Libc.connect(client, addr, SockaddrUnStruct.length(p.length)));
    }
    server = track(UnixSockets.accept(listener));
  }

  @AfterEach
  void close() {
    open.forEach(Libc::close);
  }

  private int track(int fd) {
    open.add(fd);
    return fd;
  }

  /** sendmsg(2) of {@code data} with {@code fds} as SCM_RIGHTS, as the launcher sends its listener. */
  private static void sendWithRights(int fd, byte[] data, int... fds) throws SysCallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocateFrom(JAVA_BYTE, data);
      long dataLength = JAVA_INT.byteSize() * fds.length;
      MemorySegment control = arena.allocate(CmsgHdrStruct.space(dataLength), 8);
      CmsgHdrStruct.write(control, Sys.SOL_SOCKET, Sys.SCM_RIGHTS, dataLength);
      CmsgHdrStruct.data(control, CmsgHdrStruct.len(dataLength)).copyFrom(MemorySegment.ofArray(fds));
      MemorySegment msg = MsgHdrStruct.allocate(arena);
      MsgHdrStruct.setIov(msg, IovecStruct.allocate(arena, buf), 1);
      MsgHdrStruct.setControl(msg, control);
      assertThat(Libc.check("sendmsg", Libc.sendmsg(fd, msg, Sys.MSG_NOSIGNAL))).isEqualTo(data.length);
    }
  }

  private static long inode(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = arena.allocate(StatStruct.LAYOUT);
      assertThat(Libc.fstat(fd, st)).isZero();
      return StatStruct.inode(st);
    }
  }

  @Test
  void receive_oneFdByScmRights_givesTheDataAndANewFdOnTheSameFile() throws Exception {
    Path file = Files.writeString(dir.resolve("listener"), "x");
    try (FileChannel sent = FileChannel.open(file)) {
      int sentFd = OpenFds.fdOf(file);
      sendWithRights(client, "hello".getBytes(StandardCharsets.UTF_8), sentFd);

      UnixSockets.Received r = UnixSockets.receive(server, 64);
      r.fds().forEach(this::track);

      assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("hello");
      assertThat(r.fds()).hasSize(1);
      int got = r.fds().getFirst();
      assertThat(got).isNotEqualTo(sentFd);
      assertThat(inode(got)).isEqualTo((long) Files.getAttribute(file, "unix:ino"));
      assertThat(Libc.fcntl(got, 1 /* F_GETFD */, 0) & 1 /* FD_CLOEXEC */).as("MSG_CMSG_CLOEXEC").isEqualTo(1);
    }
  }

  @Test
  void receive_moreFdsThanRoom_keepsTheFourThatFitTheControlBuffer() throws Exception {
    int[] fds = new int[6];
    for (int i = 0; i < fds.length; i++) {
      fds[i] = track((int) Libc.check("eventfd", Libc.eventfd(0, Sys.EFD_CLOEXEC)));
    }
    sendWithRights(client, new byte[] {1}, fds);

    UnixSockets.Received r = UnixSockets.receive(server, 64);
    r.fds().forEach(this::track);

    // CMSG_SPACE(4 * sizeof(int)) of room: the kernel installs four and drops the rest.
    assertThat(r.data()).containsExactly(1);
    assertThat(r.fds()).hasSize(4).doesNotHaveDuplicates().allSatisfy(fd -> assertThat(OpenFds.link(fd)).isEqualTo("anon_inode:[eventfd]"));
  }

  @Test
  void receive_plainData_givesNoFds() throws SysCallException {
    UnixSockets.writeAll(client, "ping".getBytes(StandardCharsets.UTF_8));

    UnixSockets.Received r = UnixSockets.receive(server, 64);

    assertThat(r.data()).asString(StandardCharsets.UTF_8).isEqualTo("ping");
    assertThat(r.fds()).isEmpty();
  }

  @Test
  void peerCredentials_connectedClient_isThisProcess() throws Exception {
    UnixSockets.PeerCredentials cred = UnixSockets.peerCredentials(server);

    assertThat(cred.pid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(cred.uid()).isEqualTo((int) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    assertThat(cred.gid()).isEqualTo((int) Files.getAttribute(Path.of("/proc/self"), "unix:gid"));
  }

  @Test
  void peerGroups_connectedClient_areThisProcessesSupplementaryGroups() throws Exception {
    List<Integer> expected = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Groups:")) {
        for (String g : line.substring("Groups:".length()).strip().split("\\s+")) {
          if (!g.isEmpty()) {
            expected.add(Integer.parseInt(g));
          }
        }
      }
    }

    assertThat(UnixSockets.peerGroups(server)).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void setReceiveTimeout_seconds_isTheTimevalTheKernelReportsBack() throws SysCallException {
    UnixSockets.setReceiveTimeout(server, 3);

    try (Arena arena = Arena.ofConfined()) {
      MemorySegment tv = arena.allocate(TimevalStruct.LAYOUT);
      MemorySegment len = arena.allocateFrom(JAVA_INT, TimevalStruct.SIZE);
      Libc.check("getsockopt(SO_RCVTIMEO)", Libc.getsockopt(server, Sys.SOL_SOCKET, 20, tv, len));

      assertThat(len.get(JAVA_INT, 0)).isEqualTo(TimevalStruct.SIZE);
      assertThat(TimevalStruct.seconds(tv)).isEqualTo(3);
      assertThat(TimevalStruct.micros(tv)).isZero();
    }
  }

  @Test
  void listen_pathOf108Bytes_isRefusedBeforeAnySocket() {
    String path = "/" + "p".repeat(107);

    assertThatThrownBy(() -> UnixSockets.listen(path, 1))
        .isInstanceOfSatisfying(SysCallException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
        .hasMessageContaining("longer than 107 bytes");
  }

  @Test
  void sockaddrUn_path_isFamilyThenNulTerminatedPath() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment addr = SockaddrUnStruct.allocate(arena, "/a/b".getBytes(StandardCharsets.UTF_8));

      assertThat(SockaddrUnStruct.family(addr)).isEqualTo(Sys.AF_UNIX);
      assertThat(addr.asSlice(2, 5).toArray(JAVA_BYTE)).containsExactly('/', 'a', '/', 'b', 0);
      assertThat(SockaddrUnStruct.length(4)).isEqualTo(7);
    }
  }
}
