package io.ax.core.mesh;

import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.OutlierDetector;
import io.ax.core.model.Resilience;
import io.ax.core.net.Endpoints;
import io.ax.core.state.DataplaneState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** What the bridge reports of a connect, as failures and successes for outlier detection. */
class OutlierFeedTest {
  static final Inet4Endpoint VIP = Endpoints.parse("d", "198.18.0.1:80");
  static final Inet4Endpoint A = Endpoints.parse("a", "198.19.0.1:80");
  static final Inet4Endpoint B = Endpoints.parse("b", "198.19.0.2:80");
  static final ConnectDecision.Targets AB = new ConnectDecision.Targets("svc", List.of(A, B));

  private final OutlierDetector detector = new OutlierDetector(() -> 0L);

  private OutlierFeed feed(Resilience r) {
    DataplaneState s = DataplaneState.EMPTY.withVService(vservice("svc", "198.18.0.1", LbPolicy.ROUND_ROBIN, List.of("80"), "198.19.0.1", "198.19.0.2").withResilience(r));
    return new OutlierFeed(() -> s, detector);
  }

  private static Resilience ejectAfter(int n) {
    return new Resilience(Optional.empty(), OptionalInt.empty(), Optional.of(new io.ax.core.lb.OutlierDetection(n, Duration.ofSeconds(30), 100)));
  }

  @Test
  void connectEnded_failedOverTwice_ejectsTheFirstTargetAndNotTheOneThatConnected() {
    OutlierFeed f = feed(ejectAfter(2));

    f.connectEnded("app", VIP, AB, 2, 0);
    f.connectEnded("app", VIP, AB, 2, 0);

    assertThat(detector.ejected("svc", A)).isTrue();
    assertThat(detector.ejected("svc", B)).isFalse();
  }

  @Test
  void connectEnded_lastTargetTimedOut_countsAsAFailure() {
    OutlierFeed f = feed(ejectAfter(1));

    f.connectEnded("app", VIP, new ConnectDecision.Targets("svc", List.of(B)), 1, Errno.ETIMEDOUT);

    assertThat(detector.ejected("svc", B)).isTrue();
  }

  @Test
  void connectEnded_inProgressOrTheAppsOwnError_countsNothing() {
    OutlierFeed f = feed(ejectAfter(1));

    f.connectEnded("app", VIP, AB, 1, Errno.EINPROGRESS);
    f.connectEnded("app", VIP, AB, 1, Errno.EACCES);

    assertThat(detector.ejected("svc", A)).isFalse();
  }

  @Test
  void connectEnded_vserviceWithoutOutlierDetection_countsNothing() {
    OutlierFeed f = feed(Resilience.NONE);

    f.connectEnded("app", VIP, AB, 2, 0);

    assertThat(detector.ejections()).isZero();
  }
}
