package io.ax.core.decision;

import static io.ax.core.state.StateFixtures.app;
import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.lb.ConnectionCounts;
import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.LbState;
import io.ax.core.lb.OutlierDetector;
import io.ax.core.lb.Outliers;
import io.ax.core.lb.SeededLbState;
import io.ax.core.lb.SmoothWeighted;
import io.ax.core.lb.HashRing;
import io.ax.core.model.App;
import io.ax.core.model.Resilience;
import io.ax.core.model.Subset;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import io.ax.core.state.DataplaneState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The decision's part of a vservice's {@link Resilience}: the connection limit, ejected backends last, the connect timeout. */
class ConnectDeciderResilienceTest {
  static final App WEB = app("0000000a", "10.0.0.1", "zone=default");
  static final Inet4Endpoint VIP = Endpoints.parse("d", "198.18.0.1:80");
  static final Inet4Endpoint A = Endpoints.parse("a", "198.19.0.1:80");
  static final Inet4Endpoint B = Endpoints.parse("b", "198.19.0.2:80");
  static final Inet4Endpoint C = Endpoints.parse("c", "198.19.0.3:80");
  static final io.ax.core.lb.OutlierDetection EJECT_AFTER_2 = new io.ax.core.lb.OutlierDetection(2, Duration.ofSeconds(30), 100);

  static DataplaneState mesh(Resilience r) {
    VService vs = vservice("svc", "198.18.0.1", LbPolicy.ROUND_ROBIN, List.of("80"), "198.19.0.1", "198.19.0.2", "198.19.0.3").withResilience(r);
    return DataplaneState.EMPTY.withApp(WEB).withVService(vs);
  }

  /** A state whose counts and ejections the test sets. */
  record Fixed(LbState delegate, Map<Inet4Endpoint, Integer> open, Outliers outliers) implements LbState {
    @Override
    public long nextTicket(String key) {
      return 0; // round robin starts at A every time
    }

    @Override
    public SmoothWeighted smoothWeighted(String key) {
      return delegate.smoothWeighted(key);
    }

    @Override
    public HashRing ring(HashRing.Shape shape) {
      return delegate.ring(shape);
    }

    @Override
    public ConnectionCounts connections() {
      return new ConnectionCounts() {
        @Override
        public int openTo(Inet4Endpoint address) {
          return open.getOrDefault(address, 0);
        }

        @Override
        public void connecting(Inet4Endpoint address) {}
      };
    }

    @Override
    public RandomGenerator random() {
      return delegate.random();
    }
  }

  static LbState lb(Map<Inet4Endpoint, Integer> open, Outliers outliers) {
    return new Fixed(SeededLbState.fromLoggedSeed("resilience"), open, outliers);
  }

  @Test
  void decide_atTheConnectionLimit_refusesWithOverflow() {
    DataplaneState s = mesh(new Resilience(Optional.empty(), OptionalInt.of(2), Optional.empty()));

    ConnectDecision d = ConnectDecider.decide(s, WEB, VIP, lb(Map.of(A, 1, C, 1), Outliers.NEVER));

    assertThat(d).isInstanceOfSatisfying(ConnectDecision.Refuse.class, r -> {
      assertThat(r.cause()).isEqualTo(ConnectDecision.Refuse.Cause.OVERFLOW);
      assertThat(r.errno()).isEqualTo(Errno.ECONNREFUSED);
      assertThat(r.reason()).contains("2 open connections", "limit is 2");
    });
  }

  @Test
  void decide_datagramConnectAtTheConnectionLimit_notRefused() {
    VService vs = vservice("dns", "198.18.0.1", LbPolicy.ROUND_ROBIN, List.of("80"), "198.19.0.1")
        .withResilience(new Resilience(Optional.empty(), OptionalInt.of(1), Optional.empty()));
    DataplaneState s = DataplaneState.EMPTY.withApp(WEB).withVService(vs);

    ConnectDecision d = ConnectDecider.decide(s, WEB, io.ax.bridge.SocketPolicy.Transport.UDP, VIP, lb(Map.of(A, 5), Outliers.NEVER));

    assertThat(d).isEqualTo(new ConnectDecision.Targets("dns", List.of(A)));
  }

  @Test
  void decide_belowTheConnectionLimit_balancesAsUsual() {
    DataplaneState s = mesh(new Resilience(Optional.empty(), OptionalInt.of(2), Optional.empty()));

    ConnectDecision d = ConnectDecider.decide(s, WEB, VIP, lb(Map.of(A, 1, Endpoints.parse("x", "198.19.0.9:80"), 5), Outliers.NEVER));

    assertThat(d).isEqualTo(new ConnectDecision.Targets("svc", List.of(A, B, C)));
  }

  @Test
  void decide_ejectedBackend_comesLast() {
    DataplaneState s = mesh(new Resilience(Optional.empty(), OptionalInt.empty(), Optional.of(EJECT_AFTER_2)));

    ConnectDecision d = ConnectDecider.decide(s, WEB, VIP, lb(Map.of(), (key, t) -> key.equals("svc") && t.equals(A)));

    assertThat(d).isEqualTo(new ConnectDecision.Targets("svc", List.of(B, C, A)));
  }

  @Test
  void decide_ejectionsWithoutOutlierDetection_areIgnored() {
    DataplaneState s = mesh(Resilience.NONE);

    ConnectDecision d = ConnectDecider.decide(s, WEB, VIP, lb(Map.of(), (key, t) -> true));

    assertThat(d).isEqualTo(new ConnectDecision.Targets("svc", List.of(A, B, C)));
  }

  @Test
  void decide_connectTimeout_reachesTheBridge() {
    DataplaneState s = mesh(new Resilience(Optional.of(Duration.ofMillis(300)), OptionalInt.empty(), Optional.empty()));

    ConnectDecision d = ConnectDecider.decide(s, WEB, VIP, lb(Map.of(), Outliers.NEVER));

    assertThat(d).isEqualTo(new ConnectDecision.Targets("svc", List.of(A, B, C), Optional.of(Duration.ofMillis(300))));
  }

  @Test
  void decide_subset_usesTheSubsetsOwnResilience() {
    Resilience subsetOwn = new Resilience(Optional.of(Duration.ofSeconds(2)), OptionalInt.of(1), Optional.empty());
    VService vs = new VService("svc", io.ax.core.net.Ipv4.parse("ip", "198.18.0.1"), List.of(new io.ax.core.model.PortMapping(80, 80)), List.of(),
        LbPolicy.ROUND_ROBIN, VService.Exposure.INTERNAL, Optional.empty(),
        List.of(new Subset("v1", 1, LbPolicy.ROUND_ROBIN, List.of(new io.ax.core.model.Backend(io.ax.core.net.Ipv4.parse("ip", "198.19.0.1"), OptionalInt.empty(), 1)), subsetOwn)),
        List.of(), "", new Resilience(Optional.of(Duration.ofSeconds(9)), OptionalInt.empty(), Optional.empty()));
    DataplaneState s = DataplaneState.EMPTY.withApp(WEB).withVService(vs);

    assertThat(ConnectDecider.decide(s, WEB, VIP, lb(Map.of(), Outliers.NEVER)))
        .isEqualTo(new ConnectDecision.Targets("svc/v1", List.of(A), Optional.of(Duration.ofSeconds(2))));
    assertThat(ConnectDecider.decide(s, WEB, VIP, lb(Map.of(A, 1), Outliers.NEVER))).isInstanceOf(ConnectDecision.Refuse.class);
    assertThat(ConnectDecider.balanced(s, "svc/v1")).contains(new ConnectDecider.Balanced(subsetOwn, 1));
    assertThat(ConnectDecider.balanced(s, "svc")).as("a split vservice balances through its subsets").isEmpty();
  }

  @Test
  void decide_withTheRealDetector_ejectsAfterConsecutiveFailuresOnly() {
    DataplaneState s = mesh(new Resilience(Optional.empty(), OptionalInt.empty(), Optional.of(EJECT_AFTER_2)));
    OutlierDetector detector = new OutlierDetector(() -> 0L);
    detector.failed("svc", A, EJECT_AFTER_2, 3);
    detector.succeeded("svc", A); // the count starts again
    detector.failed("svc", A, EJECT_AFTER_2, 3);
    assertThat(ConnectDecider.decide(s, WEB, VIP, lb(Map.of(), detector))).isEqualTo(new ConnectDecision.Targets("svc", List.of(A, B, C)));

    detector.failed("svc", A, EJECT_AFTER_2, 3);

    assertThat(ConnectDecider.decide(s, WEB, VIP, lb(Map.of(), detector))).isEqualTo(new ConnectDecision.Targets("svc", List.of(B, C, A)));
  }
}
