package io.ax.bridge.server;

import static io.ax.bridge.server.CallHarness.ADDR;
import static io.ax.bridge.server.CallHarness.APP_FD;
import static io.ax.bridge.server.CallHarness.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.server.FakeNotifier.Answer;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * sendmsg and sendmmsg on datagram sockets, against a fake kernel: the app's {@code struct
 * msghdr}, {@code struct mmsghdr} and {@code struct iovec} arrays are laid out here by hand at
 * the x86_64 offsets, so that the handler's struct classes are checked against the ABI.
 */
class SendMsgCallsTest {
  private static final Inet4Endpoint VIP = endpoint(10, 96, 0, 53, 53);
  private static final Inet4Endpoint BACKEND = endpoint(10, 0, 0, 7, 40053);
  private static final long MSG = 0x7fff_0000_4000L;
  private static final long IOV = 0x7fff_0000_5000L;
  private static final long DATA = 0x7fff_0000_6000L;
  private static final long MORE = 0x7fff_0000_7000L;
  private static final long CONTROL = 0x7fff_0000_8000L;
  /** An IP_PKTINFO-sized control message: cmsghdr (16) and in_pktinfo (12), as the app wrote it. */
  private static final byte[] PKTINFO = new byte[28];

  private final CallHarness h = new CallHarness();

  SendMsgCallsTest() {
    h.sockets.type = Sys.SOCK_DGRAM;
    h.policy.connectDecision = new ConnectDecision.Targets("test vservice", List.of(BACKEND));
    PKTINFO[0] = 28;
    PKTINFO[12] = 8; // IP_PKTINFO at SOL_IP (0)
    h.target.map(ADDR, SockAddrCodec.encode(VIP, Sys.AF_INET))
        .map(DATA, "pi".getBytes())
        .map(MORE, "ng".getBytes())
        .map(CONTROL, PKTINFO);
  }

  /** {@code struct msghdr}: 56 bytes, msg_namelen at 8, msg_iov at 16, msg_control at 32. */
  private static byte[] msghdr(long name, int nameLen, long iov, long iovLen, long control, long controlLen) {
    return ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(0, name).putInt(8, nameLen).putLong(16, iov).putLong(24, iovLen)
        .putLong(32, control).putLong(40, controlLen).array();
  }

  /** {@code struct iovec} array: 16 bytes each, base then length. */
  private static byte[] iovecs(long... baseThenLength) {
    ByteBuffer b = ByteBuffer.allocate(baseThenLength.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : baseThenLength) {
      b.putLong(v);
    }
    return b.array();
  }

  /** {@code struct mmsghdr} array: 64 bytes each, the msghdr then msg_len at 56. */
  private static byte[] mmsghdrs(byte[]... headers) {
    ByteBuffer b = ByteBuffer.allocate(headers.length * 64).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < headers.length; i++) {
      b.put(i * 64, headers[i]).putInt(i * 64 + 56, -1);
    }
    return b.array();
  }

  private static byte[] toVip() {
    return SockAddrCodec.encode(VIP, Sys.AF_INET);
  }

  private void sendmsg(long id) {
    h.on(CallHarness.notification(id, Sys.NR_SENDMSG, APP_FD, MSG, 0), h.sendCalls::sendmsg);
  }

  private void sendmmsg(long id, int vlen) {
    h.on(CallHarness.notification(id, Sys.NR_SENDMMSG, APP_FD, MSG, vlen, 0), h.sendCalls::sendmmsg);
  }

  @Test
  void sendmsg_twoIovecsNameAndControl_sendsTheGatheredCopyToTheTarget() {
    h.target.map(IOV, iovecs(DATA, 2, MORE, 2)).map(MSG, msghdr(ADDR, toVip().length, IOV, 2, CONTROL, PKTINFO.length));

    sendmsg(1);

    assertThat(h.sockets.sent).hasSize(1);
    assertThat(h.sockets.sent.getFirst().data()).isEqualTo("ping".getBytes());
    assertThat(h.sockets.sent.getFirst().to()).isEqualTo(SockAddrCodec.encode(BACKEND, Sys.AF_INET));
    assertThat(h.sockets.sent.getFirst().control()).isEqualTo(PKTINFO);
    assertThat(h.sockets.sent.getFirst().flags() & Sys.MSG_DONTWAIT).as("never blocks a receiver").isNotZero();
    assertThat(h.policy.connectQuestions).containsExactly(VIP);
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 4));
  }

  @Test
  void sendmsg_noName_sendsToTheConnectedPeerWithoutAskingThePolicy() {
    h.target.map(IOV, iovecs(DATA, 2)).map(MSG, msghdr(0, 0, IOV, 1, 0, 0));

    sendmsg(1);

    assertThat(h.sockets.sent).hasSize(1);
    assertThat(h.sockets.sent.getFirst().data()).isEqualTo("pi".getBytes());
    assertThat(h.sockets.sent.getFirst().to()).isEmpty();
    assertThat(h.sockets.sent.getFirst().control()).isEmpty();
    assertThat(h.policy.connectQuestions).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 2));
  }

  @Test
  void sendmsg_noIovecs_sendsAnEmptyDatagram() {
    h.target.map(MSG, msghdr(ADDR, toVip().length, 0, 0, 0, 0));

    sendmsg(1);

    assertThat(h.sockets.sent).hasSize(1);
    assertThat(h.sockets.sent.getFirst().data()).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0));
  }

  @Test
  void sendmsg_moreIovecsThanUioMaxiov_failsWithEmsgsize() {
    h.target.map(MSG, msghdr(ADDR, toVip().length, IOV, SendCalls.MAX_IOV + 1, 0, 0));

    sendmsg(1);

    assertThat(h.sockets.sent).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EMSGSIZE));
  }

  @Test
  void sendmsg_controlLongerThanTheBound_failsWithEmsgsize() {
    h.target.map(IOV, iovecs(DATA, 2)).map(MSG, msghdr(ADDR, toVip().length, IOV, 1, CONTROL, SendCalls.MAX_CONTROL + 1));

    sendmsg(1);

    assertThat(h.sockets.sent).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EMSGSIZE));
  }

  @Test
  void sendmsg_iovecsAddUpToMoreThanADatagram_failsWithEmsgsize() {
    h.target.map(IOV, iovecs(DATA, SendCalls.MAX_DATAGRAM, MORE, 2)).map(MSG, msghdr(ADDR, toVip().length, IOV, 2, 0, 0));

    sendmsg(1);

    assertThat(h.sockets.sent).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EMSGSIZE));
    assertThat(h.target.reads).as("the header and the iovecs, not the data").isEqualTo(2);
  }

  @Test
  void sendmsg_negativeIovecLength_failsWithEmsgsize() {
    h.target.map(IOV, iovecs(DATA, -1)).map(MSG, msghdr(ADDR, toVip().length, IOV, 1, 0, 0));

    sendmsg(1);

    assertThat(h.sockets.sent).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EMSGSIZE));
  }

  @Test
  void sendmsg_headerNotMapped_failsWithEfault() {
    sendmsg(1);

    assertThat(h.sockets.sent).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EFAULT));
  }

  @Test
  void sendmsg_notificationDiesAfterTheRead_sendsNothing() {
    h.target.map(IOV, iovecs(DATA, 2)).map(MSG, msghdr(ADDR, toVip().length, IOV, 1, 0, 0));
    h.notifier.valid = false;

    sendmsg(1);

    assertThat(h.sockets.sent).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.ENOSYS));
  }

  @Test
  void sendmmsg_twoDatagrams_sendsBothAndWritesEachMsgLen() {
    h.target.map(IOV, iovecs(DATA, 2, MORE, 2))
        .map(MSG, mmsghdrs(msghdr(ADDR, toVip().length, IOV, 2, 0, 0), msghdr(0, 0, IOV + 16, 1, 0, 0)));

    sendmmsg(1, 2);

    assertThat(h.sockets.sent).extracting(s -> new String(s.data())).containsExactly("ping", "ng");
    assertThat(h.target.writes).extracting(FakeTarget.Write::address).containsExactly(MSG + 56, MSG + 64 + 56);
    assertThat(h.target.writes).extracting(FakeTarget.Write::data)
        .containsExactly(new byte[] {4, 0, 0, 0}, new byte[] {2, 0, 0, 0});
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 2));
  }

  @Test
  void sendmmsg_secondMessageRefused_reportsTheFirstOnly() {
    h.target.map(IOV, iovecs(DATA, 2))
        .map(MSG, mmsghdrs(msghdr(ADDR, toVip().length, IOV, 1, 0, 0), msghdr(0, 0, IOV, SendCalls.MAX_IOV + 1, 0, 0)));

    sendmmsg(1, 2);

    assertThat(h.sockets.sent).hasSize(1);
    assertThat(h.target.writes).hasSize(1);
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 1));
  }

  @Test
  void sendmmsg_firstMessageFaults_failsWithEfault() {
    h.target.map(MSG, mmsghdrs(msghdr(ADDR, toVip().length, IOV, 1, 0, 0)));

    sendmmsg(1, 1);

    assertThat(h.sockets.sent).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EFAULT));
  }

  @Test
  void sendmmsg_streamSocket_letsTheKernelRunIt() {
    h.sockets.type = Sys.SOCK_STREAM;

    sendmmsg(1, 2);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Proceeded(1));
    assertThat(h.target.reads).isZero();
  }
}
