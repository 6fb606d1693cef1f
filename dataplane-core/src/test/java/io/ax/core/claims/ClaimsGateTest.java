package io.ax.core.claims;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.PortMapping;
import io.ax.core.model.VService;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ClaimsGate}: root claims anything; other users their own labels and what the policy
 * grants; a vIP or name another user holds takes a 'join' rule. Users: alice 1001 (groups web 50
 * and payments 60), bob 1002, and uid 1003 that has no name.
 */
class ClaimsGateTest {
  static final Claimant ROOT = new Claimant(0, 0, List.of());
  static final Claimant ALICE = new Claimant(1001, 1001, List.of(50, 60));
  static final Claimant BOB = new Claimant(1002, 1002, List.of());
  static final Claimant NAMELESS = new Claimant(1003, 1003, List.of());
  static final AppId NEW = new AppId("0000000f");

  /** The node's accounts, as a fake. */
  static final Accounts ACCOUNTS = new Accounts() {
    @Override
    public Optional<String> userName(int uid) {
      return Optional.ofNullable(Map.of(0, "root", 1001, "alice", 1002, "bob").get(uid));
    }

    @Override
    public OptionalInt groupId(String name) {
      Integer g = Map.of("web", 50, "payments", 60).get(name);
      return g == null ? OptionalInt.empty() : OptionalInt.of(g);
    }
  };

  static final ClaimsPolicy POLICY = ClaimsPolicy.parse("claims.policy", """
      *               label  zone=default
      group:payments  label  team=payments
      user:bob        label  role=*
      uid:1003        label  tier=*
      gid:50          ip     198.18.20.0/24
      group:web       ip     198.18.20.5    join
      user:alice      name   alice-*
      group:web       name   web            join
      """);

  private final ClaimsGate gate = new ClaimsGate(POLICY, ACCOUNTS);

  /**
   * On n1: root's "web" at 198.18.20.5, bob's "bobsvc" at 198.18.20.9, alice's "alice-web" at
   * 198.18.20.8, and "old" at 198.18.20.10 of an older daemon's file (no owner); alice's
   * "alice-remote" on n2; a vservice "reviews" at 198.18.30.1.
   */
  private final DataplaneState state = DataplaneState.EMPTY
      .withApp(app("000000a1", "web", "n1", "198.18.20.5", 0))
      .withApp(app("000000b2", "bobsvc", "n1", "198.18.20.9", 1002))
      .withApp(app("000000c3", "alice-remote", "n2", "198.18.20.77", 1001))
      .withApp(app("000000d4", "alice-web", "n1", "198.18.20.8", 1001))
      .withApp(app("000000e5", "old", "n1", "198.18.20.10", App.UNKNOWN_UID))
      .withVService(new VService("reviews", Ipv4.parse("ip", "198.18.30.1"), List.of(new PortMapping(9080, 9080)), List.of(), LbPolicy.RANDOM,
          VService.Exposure.INTERNAL, Optional.empty(), List.of(), List.of("reviews.default.svc.cluster.local"), ""));

  private static App app(String id, String name, String node, String ip, int uid) {
    return new App(new AppId(id), name, node, "appswitch", Ipv4.parse("ip", ip), "user", Labels.DEFAULT, 1, List.of(), uid);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      0    | role=prod,anything=at-all
      1001 | alice/role=prod
      1001 | alice/role=prod,zone=default,team=payments
      1002 | role=prod,bob/x=y
      1003 | 1003/role=prod,tier=gold
      1001 | ''
      """)
  void checkLabels_allowed(int uid, String labels) {
    assertThatCode(() -> gate.checkLabels(claimant(uid), Labels.parse("l", labels))).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      1001 | role=prod            | 'role=prod' is not yours to claim: user alice (uid 1001) may claim labels 'alice/KEY=VALUE' and those claims.policy grants it
      1002 | team=payments        | 'team=payments' is not yours to claim: user bob (uid 1002) may claim labels 'bob/KEY=VALUE' and those claims.policy grants it
      1002 | alice/role=prod      | 'alice/role=prod' is not yours to claim: user bob (uid 1002) may claim labels 'bob/KEY=VALUE' and those claims.policy grants it
      1001 | alice/=x             | 'alice/=x' is not yours to claim: user alice (uid 1001) may claim labels 'alice/KEY=VALUE' and those claims.policy grants it
      1001 | zone=default,zone2=x | 'zone2=x' is not yours to claim: user alice (uid 1001) may claim labels 'alice/KEY=VALUE' and those claims.policy grants it
      1003 | role=prod            | 'role=prod' is not yours to claim: uid 1003 may claim labels '1003/KEY=VALUE' and those claims.policy grants it
      """)
  void checkLabels_refused_namesTheLabelAndTheRule(int uid, String labels, String message) {
    assertThatThrownBy(() -> gate.checkLabels(claimant(uid), Labels.parse("l", labels)))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessage("--labels: " + message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      0    | 198.18.20.9    | 0000000f
      0    | 10.1.2.3       | 0000000f
      1001 | 198.18.20.6    | 0000000f
      1001 | 198.18.20.5    | 0000000f
      1001 | 198.18.20.8    | 0000000f
      1001 | 198.18.20.10   | 000000e5
      """)
  void checkIp_allowed(int uid, String ip, String self) {
    // alice: her group's block, root's vIP through the join rule, her own app's vIP, and an
    // app's own vIP when it registers again under its id (the caller checked the id's owner).
    assertThatCode(() -> gate.checkIp(state, "n1", claimant(uid), new AppId(self), Ipv4.parse("ip", ip))).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      1002 | 198.18.20.6   | 198.18.20.6 is not yours to claim: claims.policy grants user bob (uid 1002) no ip rule that covers it
      1002 | 198.18.20.5   | 198.18.20.5 is held by app 000000a1 'web' of uid 0 on node n1; user bob (uid 1002) may join it only through a 'ip ... join' rule in claims.policy
      1001 | 198.18.20.9   | 198.18.20.9 is held by app 000000b2 'bobsvc' of uid 1002 on node n1; user alice (uid 1001) may join it only through a 'ip ... join' rule in claims.policy
      1001 | 198.18.20.77  | 198.18.20.77 is held by app 000000c3 'alice-remote' of uid 1001 on node n2; user alice (uid 1001) may join it only through a 'ip ... join' rule in claims.policy
      1001 | 198.18.30.1   | 198.18.30.1 is held by vservice 'reviews'; user alice (uid 1001) may join it only through a 'ip ... join' rule in claims.policy
      1001 | 198.18.20.10  | 198.18.20.10 is held by app 000000e5 'old' of an unknown user on node n1; user alice (uid 1001) may join it only through a 'ip ... join' rule in claims.policy
      """)
  void checkIp_refused(int uid, String ip, String message) {
    assertThatThrownBy(() -> gate.checkIp(state, "n1", claimant(uid), NEW, Ipv4.parse("ip", ip)))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessage("--ip: " + message);
  }

  @Test
  void checkIp_aVServicesVip_isHeldByIt() {
    ClaimsGate open = new ClaimsGate(ClaimsPolicy.BUILT_IN, ACCOUNTS);

    assertThatThrownBy(() -> open.checkIp(state, "n1", ALICE, NEW, Ipv4.parse("ip", "198.18.30.1")))
        .hasMessage("--ip: 198.18.30.1 is held by vservice 'reviews'; user alice (uid 1001) may join it only through a 'ip ... join' rule in the built-in claims policy");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      0    | bobsvc
      1001 | alice-db
      1001 | web
      """)
  void checkName_allowed(int uid, String name) {
    assertThatCode(() -> gate.checkName(state, "n1", claimant(uid), NEW, name)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      1002 | web        | 'web' is held by app 000000a1 'web' of uid 0 on node n1; user bob (uid 1002) may join it only through a 'name ... join' rule in claims.policy
      1002 | bob-db     | 'bob-db' is not yours to claim: claims.policy grants user bob (uid 1002) no name rule that covers it
      1001 | bobsvc     | 'bobsvc' is held by app 000000b2 'bobsvc' of uid 1002 on node n1; user alice (uid 1001) may join it only through a 'name ... join' rule in claims.policy
      """)
  void checkName_refused(int uid, String name, String message) {
    assertThatThrownBy(() -> gate.checkName(state, "n1", claimant(uid), NEW, name))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessage("--name: " + message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      reviews
      reviews.default.svc.cluster.local
      """)
  void checkName_aVServicesNameOrHostname_isHeldByIt(String name) {
    ClaimsGate open = new ClaimsGate(ClaimsPolicy.BUILT_IN, ACCOUNTS);

    assertThatThrownBy(() -> open.checkName(state, "n1", BOB, NEW, name))
        .hasMessage("--name: '" + name + "' is held by vservice 'reviews'; user bob (uid 1002) may join it only through a 'name ... join' rule in the built-in claims policy");
  }

  @Test
  void builtIn_anyUser_zoneDefaultAndUnheldVipsAndNames_only() {
    ClaimsGate open = new ClaimsGate(ClaimsPolicy.BUILT_IN, ACCOUNTS);

    assertThatCode(() -> {
      open.checkLabels(BOB, Labels.DEFAULT);
      open.checkIp(state, "n1", BOB, NEW, Ipv4.parse("ip", "198.19.0.1"));
      open.checkName(state, "n1", BOB, NEW, "anything-free");
    }).doesNotThrowAnyException();
    assertThatThrownBy(() -> open.checkLabels(BOB, Labels.parse("l", "role=prod"))).hasMessageContaining("'role=prod' is not yours to claim");
  }

  @Test
  void emptyPolicy_ownLabelsStillAllowed_nothingElse() {
    ClaimsGate none = new ClaimsGate(ClaimsPolicy.parse("none", ""), ACCOUNTS);

    assertThatCode(() -> none.checkLabels(ALICE, Labels.parse("l", "alice/a=b"))).doesNotThrowAnyException();
    assertThatThrownBy(() -> none.checkLabels(ALICE, Labels.DEFAULT)).hasMessageContaining("'zone=default' is not yours");
    assertThatThrownBy(() -> none.checkIp(state, "n1", ALICE, NEW, Ipv4.parse("ip", "198.19.0.1"))).hasMessageContaining("no ip rule");
    assertThatThrownBy(() -> none.checkName(state, "n1", ALICE, NEW, "free")).hasMessageContaining("no name rule");
  }

  private static Claimant claimant(int uid) {
    return switch (uid) {
      case 0 -> ROOT;
      case 1001 -> ALICE;
      case 1002 -> BOB;
      case 1003 -> NAMELESS;
      default -> throw new IllegalArgumentException("no claimant " + uid);
    };
  }
}
