package io.ax.core.decision;

import static io.ax.core.state.StateFixtures.app;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.SharedLbState;
import io.ax.core.model.App;
import io.ax.core.model.Backend;
import io.ax.core.model.Locality;
import io.ax.core.model.LocalityLb;
import io.ax.core.model.PortMapping;
import io.ax.core.model.Resilience;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Istio's localityLbSetting at connect(), relative to the node's {@code --locality}. */
class ConnectDeciderLocalityTest {
  static final App WEB = app("0000000a", "10.0.0.1", "zone=default");
  static final Inet4Endpoint VIP = Endpoints.parse("d", "198.18.0.1:80");
  static final Locality NODE = Locality.parse("l", "us-east/a/rack1");
  // One backend per locality, named by its last octet.
  static final List<String> LOCALITIES = List.of("eu-west/a/x", "us-west/b", "us-east/b", "us-east/a/rack2", "us-east/a/rack1");

  static Inet4Endpoint target(int i) {
    return Endpoints.parse("t", "198.19.0." + (i + 1) + ":80");
  }

  static DataplaneState mesh(LocalityLb setting, LbPolicy policy) {
    List<Backend> backends = new ArrayList<>();
    for (int i = 0; i < LOCALITIES.size(); i++) {
      backends.add(new Backend(Ipv4.parse("ip", "198.19.0." + (i + 1)), OptionalInt.empty(), 1, Locality.parse("l", LOCALITIES.get(i))));
    }
    VService vs = new VService("svc", Ipv4.parse("ip", "198.18.0.1"), List.of(new PortMapping(80, 80)), backends, policy, VService.Exposure.INTERNAL,
        Optional.empty(), List.of(), List.of(), "", new Resilience(Optional.empty(), OptionalInt.empty(), Optional.empty(), setting));
    return DataplaneState.EMPTY.withApp(WEB).withVService(vs);
  }

  static List<Inet4Endpoint> targets(ConnectDecision d) {
    return ((ConnectDecision.Targets) d).targets();
  }

  @Test
  void failover_withoutRules_subzoneThenZoneThenRegionThenTheRest() {
    ConnectDecision d = ConnectDecider.decide(mesh(new LocalityLb.Failover(List.of()), LbPolicy.ROUND_ROBIN), WEB, Transport.TCP, VIP, new SharedLbState(), NODE);

    assertThat(targets(d).subList(0, 3)).containsExactly(target(4), target(3), target(2));
    assertThat(targets(d).subList(3, 5)).as("other regions, alike").containsExactlyInAnyOrder(target(0), target(1));
  }

  @Test
  void failover_ruleFromTheNodesRegion_thatRegionBeforeTheRest() {
    LocalityLb rules = new LocalityLb.Failover(List.of(new LocalityLb.FailoverRule("us-east", "eu-west")));

    ConnectDecision d = ConnectDecider.decide(mesh(rules, LbPolicy.ROUND_ROBIN), WEB, Transport.TCP, VIP, new SharedLbState(), NODE);

    assertThat(targets(d)).containsExactly(target(4), target(3), target(2), target(0), target(1));
  }

  @Test
  void failover_nodeWithoutLocality_everyBackendAlike() {
    SharedLbState lb = new SharedLbState();
    DataplaneState s = mesh(new LocalityLb.Failover(List.of()), LbPolicy.ROUND_ROBIN);

    List<Inet4Endpoint> firsts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      firsts.add(targets(ConnectDecider.decide(s, WEB, Transport.TCP, VIP, lb, Locality.NONE)).getFirst());
    }

    assertThat(firsts).containsExactlyInAnyOrder(target(0), target(1), target(2), target(3), target(4));
  }

  @Test
  void distribute_eightyTwenty_exactSharesOverTenConnectsAndTheOthersFollow() {
    LocalityLb d = new LocalityLb.Distribute(List.of(
        new LocalityLb.DistributeRule("eu-west/*", Map.of("eu-west/*", 100)),
        new LocalityLb.DistributeRule("us-east/a/*", Map.of("us-east/a/*", 80, "us-west/*", 20))));
    SharedLbState lb = new SharedLbState();
    DataplaneState s = mesh(d, LbPolicy.ROUND_ROBIN);

    List<Inet4Endpoint> firsts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      List<Inet4Endpoint> t = targets(ConnectDecider.decide(s, WEB, Transport.TCP, VIP, lb, NODE));
      assertThat(t).as("every backend stays a failover target").hasSize(5);
      assertThat(t.subList(3, 5)).as("localities no pattern names come last").containsExactlyInAnyOrder(target(0), target(2));
      firsts.add(t.getFirst());
    }

    assertThat(firsts.stream().filter(target(1)::equals).count()).isEqualTo(2);
    assertThat(firsts.stream().filter(t -> t.equals(target(3)) || t.equals(target(4))).count()).isEqualTo(8);
    assertThat(firsts.stream().filter(target(3)::equals).count()).as("round robin within us-east/a").isEqualTo(4);
  }

  @Test
  void distribute_noRuleForTheNode_everyBackendAlike() {
    LocalityLb d = new LocalityLb.Distribute(List.of(new LocalityLb.DistributeRule("eu-west/*", Map.of("eu-west/*", 100))));

    ConnectDecision decision = ConnectDecider.decide(mesh(d, LbPolicy.ROUND_ROBIN), WEB, Transport.TCP, VIP, new SharedLbState(), NODE);

    assertThat(targets(decision)).containsExactly(target(0), target(1), target(2), target(3), target(4));
  }

  @ParameterizedTest
  @CsvSource({
    "us-east/a/rack1, us-east/a/rack1, true",
    "us-east/a/rack1, us-east/a/*, true",
    "us-east/a/rack1, us-east/*, true",
    "us-east/a/rack1, *, true",
    "us-east/a/rack1, us-east, true",
    "us-east/a/rack1, us-east/b/*, false",
    "us-east/a/rack1, us-west/*, false",
    "'', us-east/*, false"
  })
  void matches_istiosPatterns(String locality, String pattern, boolean expected) {
    assertThat(Locality.parse("l", locality).matches(pattern)).isEqualTo(expected);
  }
}
