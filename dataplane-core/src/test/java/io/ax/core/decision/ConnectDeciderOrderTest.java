package io.ax.core.decision;

import static io.ax.core.decision.ConnectDeciderTest.API_1;
import static io.ax.core.decision.ConnectDeciderTest.API_2;
import static io.ax.core.decision.ConnectDeciderTest.BOTH;
import static io.ax.core.decision.ConnectDeciderTest.DB_PROD;
import static io.ax.core.decision.ConnectDeciderTest.DB_TEST;
import static io.ax.core.decision.ConnectDeciderTest.MESH;
import static io.ax.core.decision.ConnectDeciderTest.WEB;
import static io.ax.core.decision.ConnectDeciderTest.ext;
import static io.ax.core.state.StateFixtures.server;
import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.LbState;
import io.ax.core.lb.SeededLbState;
import io.ax.core.model.App;
import io.ax.core.net.Endpoints;
import io.ax.core.state.DataplaneState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The order of a Connect decision's targets: the pick first, then the failover order. */
class ConnectDeciderOrderTest {

  private static List<Inet4Endpoint> targets(DataplaneState state, App client, String destination, LbState lb) {
    ConnectDecision d = ConnectDecider.decide(state, client, Endpoints.parse("dest", destination), lb);
    assertThat(d).isInstanceOf(ConnectDecision.Targets.class);
    return ((ConnectDecision.Targets) d).targets();
  }

  @Test
  void decide_implicitVService_roundRobinStartsOneFurtherEachConnect() {
    SeededLbState lb = new SeededLbState(0);

    List<List<Inet4Endpoint>> orders = IntStream.range(0, 3).mapToObj(i -> targets(MESH, WEB, "10.0.0.7:8080", lb)).toList();

    // Entries in id order (api-1, api-2), rotated per connect.
    assertThat(orders).containsExactly(List.of(API_1, API_2), List.of(API_2, API_1), List.of(API_1, API_2));
  }

  @ParameterizedTest(name = "[{index}] {0} replicas")
  @ValueSource(ints = {1, 2, 3, 5, 8})
  void decide_implicitVService_nTimesKConnects_eachReplicaFirstExactlyKTimes(int replicas) {
    int k = 40;
    DataplaneState state = DataplaneState.EMPTY;
    for (int i = 0; i < replicas; i++) {
      state = state.withServer(server("r" + i, "000000f" + i, "10.0.1.1:80", "192.168.1.10:" + (41000 + i), "zone=default"));
    }
    SeededLbState lb = new SeededLbState(0);
    Map<String, Integer> firsts = new HashMap<>();

    for (int c = 0; c < replicas * k; c++) {
      Inet4Endpoint first = targets(state, WEB, "10.0.1.1:80", lb).getFirst();
      firsts.merge(ConnectDeciderTest.idAt(state, first), 1, Integer::sum);
    }

    assertThat(firsts).hasSize(replicas).allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(k));
  }

  @Test
  void decide_roundRobinVService_rotatesOverAllowedEntries() {
    SeededLbState lb = new SeededLbState(0);

    List<Inet4Endpoint> first = targets(MESH, BOTH, "10.96.0.1:5432", lb);
    List<Inet4Endpoint> second = targets(MESH, BOTH, "10.96.0.1:5432", lb);

    assertThat(first).containsExactly(DB_PROD, DB_TEST);
    assertThat(second).containsExactly(DB_TEST, DB_PROD);
  }

  @Test
  void decide_vserviceAndImplicitOnSameEntries_keepSeparateRotations() {
    SeededLbState lb = new SeededLbState(0);

    targets(MESH, BOTH, "10.96.0.1:5432", lb); // vservice "db" advances its own sequence
    List<Inet4Endpoint> implicit = targets(MESH, BOTH, "10.0.0.5:5432", lb);

    assertThat(implicit).containsExactly(DB_PROD, DB_TEST);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"10.96.0.4:80", "10.96.0.2:80", "10.0.0.7:8080", "10.96.0.1:5432"})
  void decide_manyConnects_failoverOrderHoldsEveryAllowedTargetOnce(String destination) {
    SeededLbState lb = SeededLbState.fromLoggedSeed("failover " + destination);
    List<Inet4Endpoint> reference = targets(MESH, BOTH, destination, lb);
    Map<Inet4Endpoint, Integer> firsts = new HashMap<>();

    for (int i = 0; i < 300; i++) {
      List<Inet4Endpoint> order = targets(MESH, BOTH, destination, lb);

      assertThat(order).as("seed %d", lb.seed()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(reference);
      firsts.merge(order.getFirst(), 1, Integer::sum);
    }
    // Every target gets to be the pick (300 picks: a miss has odds below 3 * (2/3)^300).
    assertThat(firsts.keySet()).as("seed %d", lb.seed()).containsExactlyInAnyOrderElementsOf(reference);
  }

  /**
   * Two backends of one vservice that name the same address (the IP alone, and the IP with the
   * app port spelled out) must not make a target appear twice: it would be picked twice as
   * often and retried twice on failover. Currently fails: ConnectDecider.viaVService adds the
   * entries (or the external address) once per backend.
   */
  @ParameterizedTest(name = "[{index}] backends {0} and {1}")
  @CsvSource({"10.0.0.7, 10.0.0.7:8080", "203.0.113.9, 203.0.113.9:8080"})
  void decide_backendsNamingSameAddress_eachTargetOnce(String backendA, String backendB) {
    DataplaneState state = MESH.withVService(vservice("dup", "10.96.0.9", LbPolicy.ROUND_ROBIN, List.of("80:8080"), backendA, backendB));

    List<Inet4Endpoint> order = targets(state, WEB, "10.96.0.9:80", new SeededLbState(0));

    List<Inet4Endpoint> expected = backendA.startsWith("10.") ? List.of(API_1, API_2) : List.of(ext("203.0.113.9:8080"));
    assertThat(order).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
  }
}
