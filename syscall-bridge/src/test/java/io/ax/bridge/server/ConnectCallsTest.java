package io.ax.bridge.server;

import static io.ax.bridge.server.CallHarness.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.server.FakeNotifier.Answer;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ConnectCalls} against a fake kernel: failover, EINPROGRESS, restarted connects, the
 * ID_VALID race. No root, no sockets.
 */
class ConnectCallsTest {
  private static final Inet4Endpoint VIP = endpoint(10, 96, 0, 1, 80);
  private static final Inet4Endpoint OTHER_VIP = endpoint(10, 96, 0, 2, 80);
  private static final Inet4Endpoint A = endpoint(10, 0, 0, 1, 40000);
  private static final Inet4Endpoint B = endpoint(10, 0, 0, 2, 40000);
  private static final Inet4Endpoint C = endpoint(10, 0, 0, 3, 40000);
  private static final int BLOCKING = 0x2;
  private static final int NON_BLOCKING = 0x2 | Sys.O_NONBLOCK;

  private final CallHarness h = new CallHarness();

  static Stream<Arguments> failover() {
    return Stream.of(
        arguments("A refuses at once, B accepts", Map.of(A, new int[] {-Errno.ECONNREFUSED}), List.of(A, B), new Answer.Value(1, 0)),
        arguments("A refuses after EINPROGRESS, B accepts after EINPROGRESS",
            Map.of(A, new int[] {-Errno.EINPROGRESS, -Errno.ECONNREFUSED}, B, new int[] {-Errno.EINPROGRESS, 0}), List.of(A, A, B, B), new Answer.Value(1, 0)),
        arguments("A times out, B is unreachable, C accepts",
            Map.of(A, new int[] {-Errno.ETIMEDOUT}, B, new int[] {-Errno.EHOSTUNREACH}), List.of(A, B, C), new Answer.Value(1, 0)),
        arguments("A resets, B's network is unreachable, C accepts",
            Map.of(A, new int[] {-Errno.ECONNRESET}, B, new int[] {-Errno.ENETUNREACH}), List.of(A, B, C), new Answer.Value(1, 0)),
        arguments("every target refuses: the app hears the last error",
            Map.of(A, new int[] {-Errno.ECONNREFUSED}, B, new int[] {-Errno.ETIMEDOUT}, C, new int[] {-Errno.EHOSTUNREACH}), List.of(A, B, C), new Answer.Failed(1, Errno.EHOSTUNREACH)),
        arguments("A answers EACCES: not a reason to try another",
            Map.of(A, new int[] {-Errno.EACCES}), List.of(A), new Answer.Failed(1, Errno.EACCES)),
        arguments("ECONNABORTED while the kernel resets the socket: A once more, then it accepts",
            Map.of(A, new int[] {-Errno.ECONNABORTED, 0}), List.of(A, A), new Answer.Value(1, 0)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failover")
  void connect_targetsInOrder_failsOverAndTheAppHearsOneAnswer(String name, Map<Inet4Endpoint, int[]> script, List<Inet4Endpoint> expectedConnects, Answer expected) {
    h.policy.connectDecision = new ConnectDecision.Targets("test vservice", List.of(A, B, C));
    script.forEach(h.sockets::answer);

    h.connect(1, VIP);

    assertThat(h.sockets.connectedEndpoints()).isEqualTo(expectedConnects);
    assertThat(h.notifier.answers()).containsExactly(expected);
    assertThat(h.sockets.flagChanges).as("non-blocking for the attempt, then as the app left it").containsExactly(NON_BLOCKING, BLOCKING);
    assertThat(h.sockets.closed).as("our fd copy, closed once").containsExactly(100);
    assertThat(h.table.get(7).flatMap(SocketState::virtualPeer)).isEqualTo(expected instanceof Answer.Value ? java.util.Optional.of(VIP) : java.util.Optional.empty());
  }

  @Test
  void connect_direct_connectsToTheDestinationAsAsked() {
    h.connect(1, VIP);

    assertThat(h.sockets.connectedEndpoints()).containsExactly(VIP);
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0));
  }

  @Test
  void connect_refusedByThePolicy_failsWithItsErrnoAndConnectsNothing() {
    h.policy.connectDecision = new ConnectDecision.Refuse(Errno.EACCES, "test refusal");

    h.connect(1, VIP);

    assertThat(h.sockets.connects).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EACCES));
  }

  @Test
  void connect_nonBlockingStillInProgress_answersEinprogressAsTheKernelWould() {
    h.sockets.flags = NON_BLOCKING;
    h.policy.connectDecision = new ConnectDecision.Targets("test vservice", List.of(A, B));
    h.sockets.answer(A, -Errno.EINPROGRESS, -Errno.EALREADY);

    h.connect(1, VIP);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EINPROGRESS));
    assertThat(h.sockets.connectedEndpoints()).containsExactly(A, A);
    assertThat(h.sockets.flagChanges).as("the app's own mode: nothing to change").isEmpty();
    assertThat(h.loop.watches).as("the app polls for itself").isEmpty();
    assertThat(h.table.get(7).flatMap(SocketState::virtualPeer)).contains(VIP);
  }

  @Test
  void connect_nonBlockingRefusedWhileSettling_failsOverBeforeAnsweringEinprogress() {
    h.sockets.flags = NON_BLOCKING;
    h.policy.connectDecision = new ConnectDecision.Targets("test vservice", List.of(A, B));
    h.sockets.answer(A, -Errno.EINPROGRESS, -Errno.ECONNREFUSED).answer(B, -Errno.EINPROGRESS, -Errno.EALREADY);

    h.connect(1, VIP);

    assertThat(h.sockets.connectedEndpoints()).containsExactly(A, A, B, B);
    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.EINPROGRESS));
  }

  @Test
  void connect_blockingStillInProgress_answersOnceTheLoopSeesItConnected() {
    h.policy.connectDecision = new ConnectDecision.Targets("test vservice", List.of(A));
    h.sockets.answer(A, -Errno.EINPROGRESS, -Errno.EALREADY);

    h.connect(1, VIP);

    assertThat(h.notifier.answers()).as("the app's thread waits in the kernel").isEmpty();
    assertThat(h.loop.watches).extracting(FakeReadiness.Watch::fd).containsExactly(100);
    assertThat(h.sockets.closed).as("the attempt keeps our fd copy").isEmpty();

    h.loop.fire(); // SO_ERROR 0: connected

    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0));
    assertThat(h.sockets.flagChanges).containsExactly(NON_BLOCKING, BLOCKING);
    assertThat(h.sockets.closed).containsExactly(100);
  }

  @Test
  void connect_blockingRefusedOnTheLoop_failsOverToTheNextTarget() {
    h.policy.connectDecision = new ConnectDecision.Targets("test vservice", List.of(A, B, C));
    h.sockets.answer(A, -Errno.EINPROGRESS, -Errno.EALREADY).answer(B, -Errno.EINPROGRESS, -Errno.EALREADY);
    h.connect(1, VIP);

    h.sockets.soErrors.add(Errno.ECONNREFUSED); // A refused
    h.loop.fire();
    assertThat(h.notifier.answers()).as("B is still in progress").isEmpty();
    h.loop.fire(); // B connected

    assertThat(h.sockets.connectedEndpoints()).containsExactly(A, A, B, B);
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0));
    assertThat(h.sockets.closed).containsExactly(100);
  }

  @Test
  void connect_blockingTargetSilentPastTheTimeout_dissolvesAndFailsOverToTheNext() {
    h.policy.connectDecision = new ConnectDecision.Targets("test vservice", List.of(A, B), Optional.of(Duration.ofMillis(250)));
    h.sockets.answer(A, -Errno.EINPROGRESS, -Errno.EALREADY).answer(B, -Errno.EINPROGRESS, -Errno.EALREADY);
    h.connect(1, VIP);

    assertThat(h.loop.watches).extracting(FakeReadiness.Watch::timeout).containsExactly(Optional.of(Duration.ofMillis(250)));
    h.loop.expire(); // A never answered

    assertThat(h.sockets.connects).as("A's attempt dissolved before B is dialed")
        .containsExactly(inet(A), inet(A), new FakeHostSockets.Address.Unspec(), inet(B), inet(B));
    assertThat(h.notifier.answers()).as("B is in progress, with its own timeout").isEmpty();
    assertThat(h.loop.watches).extracting(FakeReadiness.Watch::timeout).containsExactly(Optional.of(Duration.ofMillis(250)));
    h.loop.fire(); // B connected

    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0));
    assertThat(h.sockets.closed).containsExactly(100);
  }

  @Test
  void connect_lastTargetSilentPastTheTimeout_theAppHearsEtimedout() {
    h.policy.connectDecision = new ConnectDecision.Targets("test vservice", List.of(A), Optional.of(Duration.ofSeconds(1)));
    h.sockets.answer(A, -Errno.EINPROGRESS, -Errno.EALREADY);
    h.connect(1, VIP);

    h.loop.expire();

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.ETIMEDOUT));
    assertThat(h.sockets.flagChanges).last().isEqualTo(BLOCKING);
    assertThat(h.loop.watches).isEmpty();
  }

  @Test
  void connect_withoutATimeout_waitsAsLongAsTheKernel() {
    h.policy.connectDecision = new ConnectDecision.Targets("test vservice", List.of(A));
    h.sockets.answer(A, -Errno.EINPROGRESS, -Errno.EALREADY);
    h.connect(1, VIP);

    assertThat(h.loop.watches).extracting(FakeReadiness.Watch::timeout).containsExactly(Optional.empty());
  }

  private static FakeHostSockets.Address inet(Inet4Endpoint e) {
    return new FakeHostSockets.Address.Inet(e);
  }

  @Test
  void connect_blockingAndEveryTargetRefusesOnTheLoop_failsWithTheLastError() {
    h.policy.connectDecision = new ConnectDecision.Targets("test vservice", List.of(A, B));
    h.sockets.answer(A, -Errno.EINPROGRESS, -Errno.EALREADY).answer(B, -Errno.ETIMEDOUT);
    h.connect(1, VIP);

    h.sockets.soErrors.add(Errno.ECONNREFUSED);
    h.loop.fire();

    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.ETIMEDOUT));
    assertThat(h.sockets.flagChanges).last().isEqualTo(BLOCKING);
    assertThat(h.loop.watches).isEmpty();
  }

  @Test
  void connect_restartedAfterTheDaemonConnected_answersZeroWithoutANewAttempt() {
    h.connect(1, VIP);
    h.sockets.answer(VIP, -Errno.EISCONN);

    h.connect(2, VIP);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0), new Answer.Value(2, 0));
  }

  @Test
  void connect_connectedSocketToAnotherDestination_failsWithEisconn() {
    h.connect(1, VIP);
    h.sockets.answer(OTHER_VIP, -Errno.EISCONN);

    h.connect(2, OTHER_VIP);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0), new Answer.Failed(2, Errno.EISCONN));
  }

  @Test
  void connect_restartedWhileTheAttemptIsInProgress_theNewCallHearsTheOneAnswer() {
    h.policy.connectDecision = new ConnectDecision.Targets("test vservice", List.of(A));
    h.sockets.answer(A, -Errno.EINPROGRESS, -Errno.EALREADY);
    h.connect(1, VIP); // the app takes a signal while it waits: call 1 is gone, call 2 comes

    h.connect(2, VIP);

    assertThat(h.notifier.answers()).isEmpty();
    assertThat(h.sockets.connectedEndpoints()).as("no second attempt").containsExactly(A, A);
    assertThat(h.sockets.closed).as("the second call's fd copy; the attempt keeps its own").containsExactly(100);

    h.loop.fire();

    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(2, 0));
  }

  @Test
  void connect_notificationDiesAfterTheRead_connectsNothingAndAnswersNobody() {
    h.notifier.valid = false; // ID_VALID fails: the thread was interrupted, or its pid reused

    h.connect(1, VIP);

    assertThat(h.notifier.validChecks).isEqualTo(1);
    assertThat(h.policy.connectQuestions).isEmpty();
    assertThat(h.sockets.connects).isEmpty();
    assertThat(h.notifier.answers()).isEmpty();
    assertThat(h.sockets.closed).containsExactly(100);
    assertThat(h.table.get(7)).isEmpty();
  }

  @Test
  void connect_unspec_dissolvesTheVirtualPeer() {
    h.connect(1, VIP);
    byte[] unspec = new byte[16];

    h.connect(2, unspec, unspec.length);

    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0), new Answer.Value(2, 0));
    assertThat(h.table.get(7).flatMap(SocketState::virtualPeer)).isEmpty();
  }

  @Test
  void connect_datagramSocket_connectsTheFirstTargetOnceWithoutFailover() {
    h.sockets.type = Sys.SOCK_DGRAM;
    h.policy.connectDecision = new ConnectDecision.Targets("test vservice", List.of(A, B));

    h.connect(1, VIP);

    assertThat(h.sockets.connectedEndpoints()).containsExactly(A);
    assertThat(h.sockets.flagChanges).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0));
  }

  @Test
  void connect_viaAnEgressGateway_connectsToTheGateway_announcesTheLocalAddressFirst_andTheAppSeesTheDestination() {
    Inet4Endpoint outside = endpoint(203, 0, 113, 9, 443);
    Inet4Endpoint gateway = endpoint(10, 0, 0, 3, 6661);
    h.policy.connectDecision = new ConnectDecision.ViaGateway(gateway, outside);

    h.connect(1, outside);

    assertThat(h.sockets.connectedEndpoints()).containsExactly(gateway);
    assertThat(h.policy.viaGateway).containsExactly(List.of(h.sockets.localAddress.orElseThrow(), gateway, outside));
    assertThat(h.notifier.answers()).containsExactly(new Answer.Value(1, 0));
    assertThat(h.table.get(7).flatMap(SocketState::virtualPeer)).contains(outside);
  }

  @Test
  void connect_viaAGatewayThatRefuses_announcesNothing_andTheAppHearsTheRefusal() {
    Inet4Endpoint outside = endpoint(203, 0, 113, 9, 443);
    Inet4Endpoint gateway = endpoint(10, 0, 0, 3, 6661);
    h.policy.connectDecision = new ConnectDecision.ViaGateway(gateway, outside);
    h.sockets.answer(gateway, -Errno.ECONNREFUSED);

    h.connect(1, outside);

    assertThat(h.policy.viaGateway).isEmpty();
    assertThat(h.notifier.answers()).containsExactly(new Answer.Failed(1, Errno.ECONNREFUSED));
  }
}
