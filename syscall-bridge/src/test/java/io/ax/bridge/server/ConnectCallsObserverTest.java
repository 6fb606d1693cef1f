package io.ax.bridge.server;

import static io.ax.bridge.server.CallHarness.APP;
import static io.ax.bridge.server.CallHarness.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.server.RecordingObserver.Ended;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@link ConnectCalls} reports to the {@link io.ax.bridge.BridgeObserver}: one end per
 * decided stream connect, with how many targets were dialed and the app's result.
 */
class ConnectCallsObserverTest {
  private static final Inet4Endpoint VIP = endpoint(10, 96, 0, 1, 80);
  private static final Inet4Endpoint A = endpoint(10, 0, 0, 1, 40000);
  private static final Inet4Endpoint B = endpoint(10, 0, 0, 2, 40000);

  private final CallHarness h = new CallHarness();

  @Test
  void connect_firstTargetAccepts_reportsOneDialedAndNoError() {
    ConnectDecision d = new ConnectDecision.Targets("vs", List.of(A, B));
    h.policy.connectDecision = d;

    h.connect(1, VIP);

    assertThat(h.observer.ended).containsExactly(new Ended(APP, VIP, d, 1, 0));
    assertThat(h.observer.decided).as("one decision, timed by the clock (one tick)").containsExactly(1L);
  }

  @Test
  void connect_firstTargetRefuses_reportsTwoDialed() {
    ConnectDecision d = new ConnectDecision.Targets("vs", List.of(A, B));
    h.policy.connectDecision = d;
    h.sockets.answer(A, -Errno.ECONNREFUSED);

    h.connect(1, VIP);

    assertThat(h.observer.ended).containsExactly(new Ended(APP, VIP, d, 2, 0));
  }

  @Test
  void connect_everyTargetRefuses_reportsTheLastError() {
    ConnectDecision d = new ConnectDecision.Targets("vs", List.of(A, B));
    h.policy.connectDecision = d;
    h.sockets.answer(A, -Errno.ECONNREFUSED).answer(B, -Errno.ECONNREFUSED);

    h.connect(1, VIP);

    assertThat(h.observer.ended).containsExactly(new Ended(APP, VIP, d, 2, Errno.ECONNREFUSED));
  }

  @Test
  void connect_refusedByThePolicy_reportsNothingDialed() {
    ConnectDecision d = new ConnectDecision.Refuse(Errno.ECONNREFUSED, "no label", ConnectDecision.Refuse.Cause.ACCESS);
    h.policy.connectDecision = d;

    h.connect(1, VIP);

    assertThat(h.observer.ended).containsExactly(new Ended(APP, VIP, d, 0, Errno.ECONNREFUSED));
  }

  @Test
  void connect_blockingFinishedOnTheLoop_reportedOnceWhenItEnds() {
    ConnectDecision d = new ConnectDecision.Targets("vs", List.of(A, B));
    h.policy.connectDecision = d;
    h.sockets.answer(A, -Errno.EINPROGRESS, -Errno.EALREADY).answer(B, -Errno.EINPROGRESS, -Errno.EALREADY);
    h.connect(1, VIP);
    assertThat(h.observer.ended).as("still in progress").isEmpty();

    h.sockets.soErrors.add(Errno.ECONNREFUSED); // A refused: B is dialed
    h.loop.fire();
    h.loop.fire(); // B connected

    assertThat(h.observer.ended).containsExactly(new Ended(APP, VIP, d, 2, 0));
  }

  @Test
  void connect_nonBlockingInProgress_reportsEinprogress() {
    h.sockets.flags = 0x2 | Sys.O_NONBLOCK;
    ConnectDecision d = new ConnectDecision.Targets("vs", List.of(A));
    h.policy.connectDecision = d;
    h.sockets.answer(A, -Errno.EINPROGRESS, -Errno.EALREADY);

    h.connect(1, VIP);

    assertThat(h.observer.ended).containsExactly(new Ended(APP, VIP, d, 1, Errno.EINPROGRESS));
  }
}
