package io.ax.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.StructLayout;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every struct class against the x86_64 kernel ABI (sizes and offsets as {@code pahole} and the
 * headers give them), so that a layout edited by hand cannot drift from the kernel's.
 */
class StructLayoutsTest {
  private static final Map<String, StructLayout> LAYOUTS = Map.ofEntries(
      Map.entry("pollfd", PollFdStruct.LAYOUT),
      Map.entry("epoll_event", EpollEventStruct.LAYOUT),
      Map.entry("iovec", IovecStruct.LAYOUT),
      Map.entry("msghdr", MsgHdrStruct.LAYOUT),
      Map.entry("mmsghdr", MMsgHdrStruct.LAYOUT),
      Map.entry("cmsghdr", CmsgHdrStruct.LAYOUT),
      Map.entry("stat", StatStruct.LAYOUT),
      Map.entry("ucred", UcredStruct.LAYOUT),
      Map.entry("timeval", TimevalStruct.LAYOUT),
      Map.entry("sockaddr_un", SockaddrUnStruct.LAYOUT),
      Map.entry("nlmsgerr", NlMsgErrStruct.LAYOUT));

  static Stream<Arguments> sizes() {
    return Stream.of(
        Arguments.of("pollfd", 8),
        Arguments.of("epoll_event", 12), // __attribute__((packed)) on x86_64
        Arguments.of("iovec", 16),
        Arguments.of("msghdr", 56),
        Arguments.of("mmsghdr", 64),
        Arguments.of("cmsghdr", 16),
        Arguments.of("stat", 144),
        Arguments.of("ucred", 12),
        Arguments.of("timeval", 16),
        Arguments.of("sockaddr_un", 110),
        Arguments.of("nlmsgerr", 20));
  }

  static Stream<Arguments> offsets() {
    return Stream.of(
        Arguments.of("pollfd", "fd", 0),
        Arguments.of("pollfd", "events", 4),
        Arguments.of("pollfd", "revents", 6),
        Arguments.of("epoll_event", "events", 0),
        Arguments.of("epoll_event", "data", 4),
        Arguments.of("iovec", "iov_base", 0),
        Arguments.of("iovec", "iov_len", 8),
        Arguments.of("msghdr", "msg_name", 0),
        Arguments.of("msghdr", "msg_namelen", 8),
        Arguments.of("msghdr", "msg_iov", 16),
        Arguments.of("msghdr", "msg_iovlen", 24),
        Arguments.of("msghdr", "msg_control", 32),
        Arguments.of("msghdr", "msg_controllen", 40),
        Arguments.of("msghdr", "msg_flags", 48),
        Arguments.of("mmsghdr", "msg_hdr", 0),
        Arguments.of("mmsghdr", "msg_len", 56),
        Arguments.of("cmsghdr", "cmsg_len", 0),
        Arguments.of("cmsghdr", "cmsg_level", 8),
        Arguments.of("cmsghdr", "cmsg_type", 12),
        Arguments.of("stat", "st_dev", 0),
        Arguments.of("stat", "st_ino", 8),
        Arguments.of("stat", "st_nlink", 16),
        Arguments.of("stat", "st_mode", 24),
        Arguments.of("stat", "st_uid", 28),
        Arguments.of("stat", "st_gid", 32),
        Arguments.of("stat", "st_rdev", 40),
        Arguments.of("stat", "st_size", 48),
        Arguments.of("stat", "st_blksize", 56),
        Arguments.of("stat", "st_blocks", 64),
        Arguments.of("stat", "st_atime", 72),
        Arguments.of("stat", "st_mtime", 88),
        Arguments.of("stat", "st_ctime", 104),
        Arguments.of("ucred", "pid", 0),
        Arguments.of("ucred", "uid", 4),
        Arguments.of("ucred", "gid", 8),
        Arguments.of("timeval", "tv_sec", 0),
        Arguments.of("timeval", "tv_usec", 8),
        Arguments.of("sockaddr_un", "sun_family", 0),
        Arguments.of("sockaddr_un", "sun_path", 2),
        Arguments.of("nlmsgerr", "error", 0),
        Arguments.of("nlmsgerr", "msg", 4));
  }

  @ParameterizedTest(name = "sizeof(struct {0}) = {1}")
  @MethodSource("sizes")
  void layout_size_matchesTheKernelAbi(String struct, long size) {
    assertThat(LAYOUTS.get(struct).byteSize()).isEqualTo(size);
  }

  @ParameterizedTest(name = "offsetof(struct {0}, {1}) = {2}")
  @MethodSource("offsets")
  void layout_fieldOffset_matchesTheKernelAbi(String struct, String field, long offset) {
    assertThat(LAYOUTS.get(struct).byteOffset(groupElement(field))).isEqualTo(offset);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sizes")
  void sizeConstant_equalsTheLayoutSize(String struct, long size) {
    long constant = switch (struct) {
      case "pollfd" -> PollFdStruct.SIZE;
      case "epoll_event" -> EpollEventStruct.SIZE;
      case "iovec" -> IovecStruct.SIZE;
      case "msghdr" -> MsgHdrStruct.SIZE;
      case "mmsghdr" -> MMsgHdrStruct.SIZE;
      case "cmsghdr" -> CmsgHdrStruct.SIZE;
      case "stat" -> StatStruct.SIZE;
      case "ucred" -> UcredStruct.SIZE;
      case "timeval" -> TimevalStruct.SIZE;
      case "sockaddr_un" -> SockaddrUnStruct.SIZE;
      case "nlmsgerr" -> NlMsgErrStruct.SIZE;
      default -> throw new IllegalArgumentException(struct);
    };
    assertThat(constant).isEqualTo(size);
  }
}
