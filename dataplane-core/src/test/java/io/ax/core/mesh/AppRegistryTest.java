package io.ax.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.bridge.SocketPolicy.Registration;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.ExposedPort;
import io.ax.core.model.Labels;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StatePersistence;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link AppRegistry} on node n1 at 192.0.2.10: what an app becomes, and what is node-local. */
class AppRegistryTest {
  static final Ipv4 NODE_IP = Ipv4.parse("ip", "192.0.2.10");

  private final DataplaneStore store = new DataplaneStore(DataplaneState.EMPTY, StatePersistence.NONE);
  private final AppRegistry apps = new AppRegistry(store, new MeshSocketPolicy.Node("n1", "appswitch", NODE_IP), new SplittableRandom(7));

  private static Registration registration(String appId, int uid, String ip, String name, List<String> expose) {
    return new Registration(appId, 77, 4242, uid, ip, name, "zone=default", expose, "alice", true, uid, List.of());
  }

  @Test
  void register_expose_mappingsInTheStoredAppInOrder() {
    App app = apps.register(registration("", 1000, "10.0.0.7", "", List.of("80:8080,443:192.0.2.10:8443", "53:0.0.0.0:5353")));

    List<ExposedPort> expected = List.of(
        new ExposedPort(80, Optional.empty(), 8080), new ExposedPort(443, Optional.of(NODE_IP), 8443), new ExposedPort(53, Optional.of(Ipv4.parse("ip", "0.0.0.0")), 5353));
    assertThat(app.exposures()).isEqualTo(expected);
    assertThat(store.current().apps().get(app.id()).exposures()).as("in the snapshot, not a side map").isEqualTo(expected);
    assertThat(app.exposureOf(443)).hasValue(new ExposedPort(443, Optional.of(NODE_IP), 8443));
    assertThat(app.exposureOf(8080)).isEmpty();
  }

  @Test
  void register_again_replacesTheExposures() {
    App first = apps.register(registration("", 1000, "", "", List.of("80:8080")));

    App again = apps.register(registration(first.id().value(), 1000, "", "", List.of()));

    assertThat(again.exposures()).isEmpty();
    assertThat(store.current().apps().get(first.id()).exposures()).isEmpty();
  }

  @Test
  void register_namedWithoutIp_getsTheNamedVipAndKeepsItWhenRegisteringAgain() {
    App web = apps.register(registration("", 1000, "", "web", List.of()));

    assertThat(web.appIp()).isEqualTo(NamedIps.pick(DataplaneState.EMPTY, "web", ""));
    assertThat(apps.register(registration(web.id().value(), 1000, "", "web", List.of())).appIp()).isEqualTo(web.appIp());
  }

  @Test
  void register_badFlag_nothingStoredNorCounted() {
    assertThatThrownBy(() -> apps.register(registration("0000beef", 1000, "", "", List.of("80:80"))))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("--expose: ");

    assertThat(store.current().apps()).isEmpty();
    assertThat(apps.registeredSinceStart(new AppId("0000beef"))).isFalse();
  }

  @Test
  void register_aClaimThePolicyRefuses_nothingStored_rootUnchecked() {
    Registration prod = new Registration("", 77, 4242, 1000, "", "", "role=prod", List.of(), "", true, 1000, List.of());

    assertThatThrownBy(() -> apps.register(prod))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("--labels: 'role=prod' is not yours to claim: ");
    assertThat(store.current().apps()).isEmpty();

    Registration rootsProd = new Registration("", 77, 4242, 0, "", "", "role=prod", List.of(), "", true, 0, List.of());
    assertThat(apps.register(rootsProd).labels()).isEqualTo(Labels.parse("l", "role=prod"));
  }

  @Test
  void register_anotherUsersVipOrName_refused() {
    apps.register(new Registration("", 77, 4242, 0, "198.18.0.10", "web", "zone=default", List.of(), "", true, 0, List.of()));

    assertThatThrownBy(() -> apps.register(registration("", 1000, "198.18.0.10", "", List.of())))
        .hasMessageStartingWith("--ip: 198.18.0.10 is held by app ");
    assertThatThrownBy(() -> apps.register(registration("", 1000, "", "web", List.of())))
        .hasMessageStartingWith("--name: 'web' is held by app ");
    assertThat(store.current().apps()).hasSize(1);
  }

  @Test
  void registeredSinceStart_restoredAppUntilItRegisters() {
    AppId restored = new AppId("0000beef");
    store.putApp(new App(restored, "web", "n1", "appswitch", NODE_IP, "user", Labels.DEFAULT, 1));

    assertThat(apps.find(restored)).isPresent();
    assertThat(apps.registeredSinceStart(restored)).isFalse();

    apps.register(registration("0000beef", 0, "", "", List.of()));

    assertThat(apps.registeredSinceStart(restored)).isTrue();
    assertThat(store.current().apps().get(restored).name()).as("keeps its name").isEqualTo("web");
  }

  @Test
  void aRestoredAppId_isRefusedToAnotherUser_andTakenByItsOwner() {
    App owned = apps.register(registration("", 1000, "10.0.0.7", "", List.of()));
    assertThat(owned.ownerUid()).isEqualTo(1000);
    // The daemon restarts: a new registry over the restored state.
    AppRegistry restarted = new AppRegistry(store, new MeshSocketPolicy.Node("n1", "appswitch", NODE_IP), new SplittableRandom(8));

    assertThatThrownBy(() -> restarted.register(registration(owned.id().value(), 1001, "10.0.0.66", "", List.of())))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessage("app id: '" + owned.id().value() + "' belongs to another user");
    assertThat(store.current().apps().get(owned.id()).appIp()).as("untouched").isEqualTo(owned.appIp());

    assertThat(restarted.register(registration(owned.id().value(), 1000, "10.0.0.7", "", List.of())).id()).isEqualTo(owned.id());
  }

  @Test
  void anAppOfAnOlderStateFile_withNoOwner_isTakenBackByRootOnly() {
    AppId restored = new AppId("0000beef");
    store.putApp(new App(restored, "web", "n1", "appswitch", NODE_IP, "user", Labels.DEFAULT, 1));

    // Its owner is unknown: a user's claim could be anyone's takeover of its IP and name.
    assertThatThrownBy(() -> apps.register(registration("0000beef", 1001, "", "", List.of())))
        .hasMessage("app id: '0000beef' belongs to another user");
    assertThat(apps.register(registration("0000beef", 0, "", "", List.of())).ownerUid()).isZero();
  }

  @Test
  void forget_registeredApp_goneFromTheSnapshotAndNoLongerRegistered() {
    App app = apps.register(registration("", 1000, "", "", List.of()));

    apps.forget(app.id());

    assertThat(apps.find(app.id())).isEmpty();
    assertThat(apps.registeredSinceStart(app.id())).isFalse();
  }

  @Test
  void forget_unknownApp_harmless() {
    long before = store.current().version();

    apps.forget(new AppId("0000dead"));

    assertThat(store.current().version()).isEqualTo(before);
  }
}
