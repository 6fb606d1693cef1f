package io.ax.core.state;

import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.core.lb.LbPolicy;
import io.ax.core.model.VService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VServiceApplyTest {
  private static final String AGENT = "xds-agent";

  private static VService owned(String owner, String name, String vip, String port, String... backends) {
    return vservice(name, vip, port, backends).withOwner(owner);
  }

  private static Map<String, VService> map(VService... all) {
    Map<String, VService> m = new TreeMap<>();
    for (VService v : all) {
      m.put(v.name(), v);
    }
    return m;
  }

  @Test
  void reconcile_emptyToThree_createsThree() {
    VServiceApply.Result r = VServiceApply.reconcile(
        map(), AGENT, List.of(owned(AGENT, "a", "10.96.0.1", "80"), owned(AGENT, "b", "10.96.0.2", "80"), owned(AGENT, "c", "10.96.0.3", "80")), Set.of());

    assertThat(r.created()).isEqualTo(3);
    assertThat(r.changed()).isTrue();
    assertThat(r.vservices()).containsOnlyKeys("a", "b", "c");
    assertThat(List.copyOf(r.vservices().keySet())).isSorted();
  }

  @Test
  void reconcile_mixedChange_countsEachKindAndLeavesOthersAlone() {
    VService user = owned("", "user-web", "10.96.1.1", "80", "10.0.0.1");
    VService other = owned("istio-2", "theirs", "10.96.1.2", "80");
    Map<String, VService> current = map(
        user, other, owned(AGENT, "keep", "10.96.0.1", "80", "10.0.0.5"), owned(AGENT, "change", "10.96.0.2", "80", "10.0.0.6"), owned(AGENT, "gone", "10.96.0.3", "80"));

    VServiceApply.Result r = VServiceApply.reconcile(current, AGENT, List.of(
        owned(AGENT, "keep", "10.96.0.1", "80", "10.0.0.5"), owned(AGENT, "change", "10.96.0.2", "80", "10.0.0.7"), owned(AGENT, "new", "10.96.0.4", "80")), Set.of());

    assertThat(List.of(r.created(), r.updated(), r.deleted(), r.unchanged())).containsExactly(1, 1, 1, 1);
    assertThat(r.rejected()).isEmpty();
    assertThat(r.vservices()).containsOnlyKeys("user-web", "theirs", "keep", "change", "new");
    assertThat(r.vservices().get("user-web")).isSameAs(user);
    assertThat(r.vservices().get("theirs")).isSameAs(other);
    assertThat(r.vservices().get("change").backends()).extracting(Object::toString).containsExactly("10.0.0.7");
  }

  @Test
  void reconcile_sameSetAgain_unchangedAndSameMap() {
    Map<String, VService> current = map(owned(AGENT, "a", "10.96.0.1", "80"), owned(AGENT, "b", "10.96.0.2", "80"));

    VServiceApply.Result r = VServiceApply.reconcile(current, AGENT, List.of(owned(AGENT, "b", "10.96.0.2", "80"), owned(AGENT, "a", "10.96.0.1", "80")), Set.of());

    assertThat(r.changed()).isFalse();
    assertThat(r.unchanged()).isEqualTo(2);
    assertThat(r.vservices()).isSameAs(current);
  }

  @Test
  void reconcile_nameHeldByUser_rejectedNamingTheHolder() {
    Map<String, VService> current = map(owned("", "web", "10.96.1.1", "80"));

    VServiceApply.Result r = VServiceApply.reconcile(current, AGENT, List.of(owned(AGENT, "web", "10.96.0.9", "80")), Set.of());

    assertThat(r.rejected()).containsExactly(new VServiceApply.Rejected("web", "name: 'web' is held by a user (made with ax create or REST)"));
    assertThat(r.changed()).isFalse();
  }

  @Test
  void reconcile_frontendOfAnotherOwner_rejectedRestApplied() {
    Map<String, VService> current = map(owned("istio-2", "theirs", "10.96.1.2", "80"));

    VServiceApply.Result r = VServiceApply.reconcile(current, AGENT, List.of(
        owned(AGENT, "clash", "10.96.1.2", "80"), owned(AGENT, "fine", "10.96.1.2", "81")), Set.of());

    assertThat(r.rejected()).containsExactly(new VServiceApply.Rejected(
        "clash", "ports: 10.96.1.2:80 is already served by vservice 'theirs' of owner 'istio-2'"));
    assertThat(r.created()).isEqualTo(1);
    assertThat(r.vservices()).containsOnlyKeys("theirs", "fine");
  }

  @Test
  void reconcile_twoInTheSetShareAFrontend_laterOneRejected() {
    VServiceApply.Result r = VServiceApply.reconcile(map(), AGENT, List.of(
        owned(AGENT, "first", "10.96.0.1", "80"), owned(AGENT, "second", "10.96.0.1", "80"), owned(AGENT, "first", "10.96.0.7", "80")), Set.of());

    assertThat(r.rejected()).extracting(VServiceApply.Rejected::reason).containsExactly(
        "ports: 10.96.0.1:80 is already served by vservice 'first' listed before it in this apply",
        "name: 'first' is listed more than once in this apply");
    assertThat(r.vservices()).containsOnlyKeys("first");
    assertThat(r.vservices().get("first").ip()).hasToString("10.96.0.1");
  }

  @Test
  void reconcile_invalidUpdate_keepsTheLastGoodValue() {
    VService good = owned(AGENT, "reviews", "10.96.0.1", "9080", "10.0.0.1");
    Map<String, VService> current = map(good, owned(AGENT, "other", "10.96.0.2", "80"));

    VServiceApply.Result r = VServiceApply.reconcile(current, AGENT, List.of(owned(AGENT, "other", "10.96.0.2", "80")), Set.of("reviews"));

    assertThat(r.deleted()).isZero();
    assertThat(r.unchanged()).isEqualTo(1);
    assertThat(r.vservices().get("reviews")).isSameAs(good);
  }

  @Test
  void reconcile_keptValueHoldsItsFrontend_newcomerOnItRejected() {
    VService good = owned(AGENT, "reviews", "10.96.0.1", "9080");
    VServiceApply.Result r = VServiceApply.reconcile(map(good), AGENT, List.of(owned(AGENT, "newcomer", "10.96.0.1", "9080")), Set.of("reviews"));

    assertThat(r.rejected()).extracting(VServiceApply.Rejected::reason)
        .containsExactly("ports: 10.96.0.1:9080 is already served by vservice 'reviews' (its last good value, kept)");
    assertThat(r.vservices()).containsOnlyKeys("reviews");
  }

  @Test
  void reconcile_emptySet_deletesOnlyThisOwnersVServices() {
    Map<String, VService> current = map(owned(AGENT, "a", "10.96.0.1", "80"), owned("", "b", "10.96.0.2", "80"), owned("other", "c", "10.96.0.3", "80"));

    VServiceApply.Result r = VServiceApply.reconcile(current, AGENT, List.of(), Set.of());

    assertThat(r.deleted()).isEqualTo(1);
    assertThat(r.vservices()).containsOnlyKeys("b", "c");
  }

  @Test
  void reconcile_policyChangeOnly_isAnUpdate() {
    Map<String, VService> current = map(owned(AGENT, "a", "10.96.0.1", "80"));
    VService leastConn = vservice("a", "10.96.0.1", LbPolicy.LEAST_CONN, List.of("80")).withOwner(AGENT);

    VServiceApply.Result r = VServiceApply.reconcile(current, AGENT, List.of(leastConn), Set.of());

    assertThat(r.updated()).isEqualTo(1);
    assertThat(r.vservices().get("a").policy()).isEqualTo(LbPolicy.LEAST_CONN);
  }

  /** No two vservices on one vIP:vport: the invariant the frontend index refuses to break. */
  private static void assertOneVServicePerFrontend(VServiceApply.Result r) {
    DataplaneState.EMPTY.withVServices(r.vservices());
    Set<String> frontends = new HashSet<>();
    r.vservices().values().forEach(vs -> vs.ports().forEach(p -> assertThat(frontends.add(vs.ip() + ":" + p.vport())).isTrue()));
  }

  @ParameterizedTest(name = "rejected one listed first: {0}")
  @ValueSource(booleans = {false, true})
  void reconcile_rejectedOneKeepsItsFrontend_newcomerOnItRejectedInEitherOrder(boolean rejectedFirst) {
    VService oldA = owned(AGENT, "a", "10.96.0.1", "80");
    Map<String, VService> current = map(oldA, owned("", "user", "10.96.0.9", "80"));
    List<VService> desired = new ArrayList<>(List.of(owned(AGENT, "c", "10.96.0.1", "80"), owned(AGENT, "a", "10.96.0.9", "80")));
    if (rejectedFirst) {
      desired = desired.reversed();
    }

    VServiceApply.Result r = VServiceApply.reconcile(current, AGENT, desired, Set.of());

    assertThat(r.rejected()).containsExactlyInAnyOrder(
        new VServiceApply.Rejected("a", "ports: 10.96.0.9:80 is already served by vservice 'user' of a user (made with ax create or REST)"),
        new VServiceApply.Rejected("c", "ports: 10.96.0.1:80 is already served by vservice 'a' (its last good value, kept)"));
    assertThat(r.changed()).isFalse();
    assertThat(r.vservices()).isSameAs(current);
    assertThat(r.vservices().get("a")).isSameAs(oldA);
    assertOneVServicePerFrontend(r);
  }

  @Test
  void reconcile_movesOntoAKeptOnesFrontend_rejectedAndKeepsItsOwn() {
    Map<String, VService> current = map(owned(AGENT, "a", "10.96.0.1", "80"), owned(AGENT, "b", "10.96.0.2", "80"), owned("", "user", "10.96.0.9", "80"));

    VServiceApply.Result r = VServiceApply.reconcile(current, AGENT, List.of(owned(AGENT, "b", "10.96.0.1", "80"), owned(AGENT, "a", "10.96.0.9", "80")), Set.of());

    assertThat(r.rejected()).extracting(VServiceApply.Rejected::name).containsExactly("b", "a");
    assertThat(r.changed()).isFalse();
    assertThat(r.vservices().get("b").ip()).hasToString("10.96.0.2");
    assertOneVServicePerFrontend(r);
  }

  @Test
  void reconcile_rejectedByOneBeforeItWhileAnEarlierOneTookItsOldFrontend_oldValueWins() {
    // b's refusal keeps b on 10.96.0.2:80, which c (listed first) was about to take.
    Map<String, VService> current = map(owned(AGENT, "b", "10.96.0.2", "80"));

    VServiceApply.Result r = VServiceApply.reconcile(current, AGENT, List.of(
        owned(AGENT, "c", "10.96.0.2", "80"), owned(AGENT, "d", "10.96.0.5", "80"), owned(AGENT, "b", "10.96.0.5", "80")), Set.of());

    assertThat(r.rejected()).containsExactly(
        new VServiceApply.Rejected("c", "ports: 10.96.0.2:80 is already served by vservice 'b' (its last good value, kept)"),
        new VServiceApply.Rejected("b", "ports: 10.96.0.5:80 is already served by vservice 'd' listed before it in this apply"));
    assertThat(r.created()).isEqualTo(1);
    assertThat(r.vservices()).containsOnlyKeys("b", "d");
    assertThat(r.vservices().get("b").ip()).hasToString("10.96.0.2");
    assertOneVServicePerFrontend(r);
  }

  @Test
  void reconcile_swapOfTwoFrontends_bothUpdated() {
    Map<String, VService> current = map(owned(AGENT, "a", "10.96.0.1", "80"), owned(AGENT, "b", "10.96.0.2", "80"));

    VServiceApply.Result r = VServiceApply.reconcile(current, AGENT, List.of(owned(AGENT, "a", "10.96.0.2", "80"), owned(AGENT, "b", "10.96.0.1", "80")), Set.of());

    assertThat(r.rejected()).isEmpty();
    assertThat(r.updated()).isEqualTo(2);
    assertOneVServicePerFrontend(r);
  }

  @Test
  void reconcile_invalidOneKeepsItsFrontend_newcomerOnItRejected() {
    Map<String, VService> current = map(owned(AGENT, "a", "10.96.0.1", "80"));
    List<VService> desired = List.of(owned(AGENT, "c", "10.96.0.1", "80"), owned(AGENT, "e", "10.96.0.3", "80"));

    VServiceApply.Result r = VServiceApply.reconcile(current, AGENT, desired, Set.of("a"));

    assertThat(r.rejected()).extracting(VServiceApply.Rejected::name).containsExactly("c");
    assertThat(r.vservices()).containsOnlyKeys("a", "e");
    assertOneVServicePerFrontend(r);
  }
}
