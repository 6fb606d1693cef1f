package io.ax.core.decision;

import static io.ax.core.state.StateFixtures.app;
import static io.ax.core.state.StateFixtures.server;
import static io.ax.core.state.StateFixtures.split;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.SeededLbState;
import io.ax.core.model.App;
import io.ax.core.net.Endpoints;
import io.ax.core.state.DataplaneState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Vservices split over weighted subsets, as a VirtualService's weights become. */
class ConnectDeciderSubsetTest {
  static final App WEB = app("0000000a", "10.0.0.1", "zone=default");
  static final App STRANGER = app("0000000d", "10.0.0.4", "team=x");
  static final Inet4Endpoint REVIEWS = Endpoints.parse("dst", "10.96.0.10:9080");

  static final DataplaneState MESH = DataplaneState.EMPTY
      .withApp(WEB)
      .withApp(STRANGER)
      .withServer(server("v1-a", "000000b1", "10.0.1.1:9080", "192.168.1.10:40001", "zone=default"))
      .withServer(server("v1-b", "000000b2", "10.0.1.2:9080", "192.168.1.10:40002", "zone=default"))
      .withServer(server("v2-a", "000000b3", "10.0.2.1:9080", "192.168.1.10:40003", "zone=default"))
      .withServer(server("v3-a", "000000b4", "10.0.3.1:9080", "192.168.1.10:40004", "role=secret"))
      .withVService(split("reviews", "10.96.0.10", LbPolicy.ROUND_ROBIN, List.of("9080"),
          "v1:80:RoundRobin:10.0.1.1,10.0.1.2", "v2:20:Random:10.0.2.1"))
      .withVService(split("canary", "10.96.0.11", LbPolicy.ROUND_ROBIN, List.of("9080"),
          "stable:1:RoundRobin:10.0.1.1", "empty:1:RoundRobin:"))
      .withVService(split("locked", "10.96.0.12", LbPolicy.ROUND_ROBIN, List.of("9080"), "only:1:Random:10.0.3.1"))
      .withVService(split("outside", "10.96.0.13", LbPolicy.ROUND_ROBIN, List.of("80:8080"), "ext:1:Random:203.0.113.9,203.0.113.10/9000"));

  private static ConnectDecision.Targets connect(App client, Inet4Endpoint dst, SeededLbState lb) {
    ConnectDecision d = ConnectDecider.decide(MESH, client, dst, lb);
    assertThat(d).isInstanceOf(ConnectDecision.Targets.class);
    return (ConnectDecision.Targets) d;
  }

  @Test
  void decide_eightyTwenty_exactlyEightToTwoInEveryTenConsecutiveConnects() {
    SeededLbState lb = SeededLbState.fromLoggedSeed("subsets 80/20");
    List<String> subsets = new ArrayList<>();

    for (int i = 0; i < 100; i++) {
      ConnectDecision.Targets c = connect(WEB, REVIEWS, lb);
      subsets.add(c.via());
    }

    assertThat(subsets).containsOnly("reviews/v1", "reviews/v2");
    for (int start = 0; start + 10 <= subsets.size(); start++) {
      assertThat(subsets.subList(start, start + 10).stream().filter("reviews/v1"::equals).count()).as("connects %d..%d", start, start + 9).isEqualTo(8);
    }
  }

  @Test
  void decide_subset_failoverStaysWithinTheChosenSubset() {
    SeededLbState lb = SeededLbState.fromLoggedSeed("subset failover");

    for (int i = 0; i < 20; i++) {
      ConnectDecision.Targets c = connect(WEB, REVIEWS, lb);
      List<String> ids = c.targets().stream().map(t -> ConnectDeciderTest.idAt(MESH, t)).toList();
      if (c.via().equals("reviews/v1")) {
        assertThat(ids).containsExactlyInAnyOrder("v1-a", "v1-b");
      } else {
        assertThat(ids).containsExactly("v2-a");
      }
    }
  }

  @Test
  void decide_subsetRoundRobin_alternatesWithinTheSubset() {
    SeededLbState lb = new SeededLbState(0);
    List<String> firstsInV1 = new ArrayList<>();

    for (int i = 0; i < 10; i++) {
      ConnectDecision.Targets c = connect(WEB, REVIEWS, lb);
      if (c.via().equals("reviews/v1")) {
        firstsInV1.add(ConnectDeciderTest.idAt(MESH, c.targets().getFirst()));
      }
    }

    assertThat(firstsInV1).containsExactly("v1-a", "v1-b", "v1-a", "v1-b", "v1-a", "v1-b", "v1-a", "v1-b");
  }

  @Test
  void decide_chosenSubsetHasNoBackends_refusedNamingTheSubset() {
    SeededLbState lb = new SeededLbState(0);
    Inet4Endpoint canary = Endpoints.parse("dst", "10.96.0.11:9080");

    ConnectDecision first = ConnectDecider.decide(MESH, WEB, canary, lb);
    ConnectDecision second = ConnectDecider.decide(MESH, WEB, canary, lb);

    assertThat(first).isInstanceOf(ConnectDecision.Targets.class);
    assertThat(second).isInstanceOfSatisfying(ConnectDecision.Refuse.class, d -> {
      assertThat(d.errno()).isEqualTo(Errno.ECONNREFUSED);
      assertThat(d.reason()).isEqualTo("subset empty of vservice canary has no backends");
    });
  }

  @Test
  void decide_subsetClosedByLabels_deniedNamingTheSubset() {
    ConnectDecision d = ConnectDecider.decide(MESH, WEB, Endpoints.parse("dst", "10.96.0.12:9080"), new SeededLbState(0));

    assertThat(d).isInstanceOfSatisfying(ConnectDecision.Refuse.class, deny -> assertThat(deny.reason()).contains("subset only of vservice locked"));
  }

  @Test
  void decide_subsetOfExternalBackends_portsFromTheMappingOrTheBackend() {
    ConnectDecision.Targets c = connect(STRANGER, Endpoints.parse("dst", "10.96.0.13:80"), new SeededLbState(3));

    assertThat(c.targets()).containsExactlyInAnyOrder(
        Endpoints.parse("a", "203.0.113.9:8080"), Endpoints.parse("a", "203.0.113.10:9000"));
  }
}
