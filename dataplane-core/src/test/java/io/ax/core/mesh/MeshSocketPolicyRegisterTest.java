package io.ax.core.mesh;

import static io.ax.core.mesh.MeshFixture.NODE_IP;
import static io.ax.core.mesh.MeshFixture.SUPERVISOR_PID;
import static io.ax.core.mesh.MeshFixture.any;
import static io.ax.core.mesh.MeshFixture.ep;
import static io.ax.core.mesh.MeshFixture.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.bridge.SocketPolicy.AppGrant;
import io.ax.bridge.SocketPolicy.BindDecision;
import io.ax.bridge.SocketPolicy.PortChoice;
import io.ax.bridge.SocketPolicy.RegistrationRefusedException;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.net.Ipv4;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link MeshSocketPolicy#register}: validation of the launcher's flags, defaults and re-registration. */
class MeshSocketPolicyRegisterTest {
  private final MeshFixture mesh = new MeshFixture("register");

  private App stored(String appId) {
    return mesh.store.current().apps().get(new AppId(appId));
  }

  @Test
  void register_noIp_appGetsTheNodeIp() throws RegistrationRefusedException {
    AppGrant grant = mesh.policy.register(registration("", "zone=default"));

    assertThat(grant.appIp()).isEqualTo(NODE_IP.bits());
    App app = stored(grant.appId());
    assertThat(app.appIp()).isEqualTo(NODE_IP);
    assertThat(app.nodeId()).isEqualTo("n1");
    assertThat(app.cluster()).isEqualTo("appswitch");
    assertThat(app.pid()).isEqualTo(SUPERVISOR_PID);
    assertThat(mesh.policy.registeredSinceStart(app.id())).isTrue();
  }

  @Test
  void register_withIpAndLabels_storesThem() throws RegistrationRefusedException {
    AppGrant grant = mesh.policy.register(registration("10.0.0.7", "zone=prod, team=a"));

    assertThat(grant.appIp()).isEqualTo(Ipv4.parse("ip", "10.0.0.7").bits());
    assertThat(stored(grant.appId()).labels()).isEqualTo(Labels.parse("l", "zone=prod,team=a"));
  }

  @Test
  void register_twoNewApps_distinctEightHexIds() throws RegistrationRefusedException {
    String a = mesh.app("", "zone=default");
    String b = mesh.app("", "zone=default");

    assertThat(a).matches("[0-9a-f]{8}").isNotEqualTo(b);
    assertThat(mesh.store.current().apps()).hasSize(2);
  }

  @Test
  void register_noName_getsUuidInAngleBrackets() throws RegistrationRefusedException {
    String id = mesh.app("", "zone=default");

    assertThat(stored(id).name()).matches("<[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}>");
  }

  @Test
  void register_appIdGivenBack_keepsIdAndGeneratedName() throws RegistrationRefusedException {
    String id = mesh.app("", "zone=default");
    String generated = stored(id).name();

    AppGrant again = mesh.policy.register(registration(id, 0, "10.0.0.8", "", "role=db", List.of()));

    assertThat(again.appId()).isEqualTo(id);
    assertThat(mesh.store.current().apps()).hasSize(1);
    assertThat(stored(id).name()).isEqualTo(generated);
    assertThat(stored(id).appIp()).isEqualTo(Ipv4.parse("ip", "10.0.0.8"));
    assertThat(stored(id).labels()).isEqualTo(Labels.parse("l", "role=db"));
  }

  @Test
  void register_appIdGivenBackWithName_takesTheNewName() throws RegistrationRefusedException {
    String id = mesh.app("", "zone=default");

    mesh.policy.register(registration(id, 0, "", "web-2", "zone=default", List.of()));

    assertThat(stored(id).name()).isEqualTo("web-2");
  }

  @Test
  void register_appIdUnknownToThisDaemon_isKept() throws RegistrationRefusedException {
    // The daemon restarted without its state: the app keeps the id it had.
    AppGrant grant = mesh.policy.register(registration("0000beef", 1000, "", "web", "zone=default", List.of()));

    assertThat(grant.appId()).isEqualTo("0000beef");
    assertThat(stored("0000beef").name()).isEqualTo("web");
  }

  @ParameterizedTest(name = "{0}: uid {1} ip ''{2}'' labels ''{3}'' expose ''{4}'' name ''{5}'' appid ''{6}''")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
    // field   | uid  | ip         | labels         | expose                  | name        | appid
    "--ip      | 1000 | 10.0.0     | zone=default   |                         |             |",
    "--ip      | 1000 | 10.0.0.256 | zone=default   |                         |             |",
    "--ip      | 1000 | 010.0.0.1  | zone=default   |                         |             |",
    "--labels  | 1000 |            | zone           |                         |             |",
    "--labels  | 1000 |            | a=1,a=2        |                         |             |",
    "--labels  | 1000 |            | =x             |                         |             |",
    "--expose  | 1000 |            | zone=default   | 80                      |             |",
    "--expose  | 1000 |            | zone=default   | 80:198.51.100.7:8080    |             |",
    "--expose  | 1000 |            | zone=default   | 80:8080,bad             |             |",
    "--expose  | 1000 |            | zone=default   | 80:0                    |             |",
    "--expose  | 1000 |            | zone=default   | 80:80                   |             |",
    "--expose  | 1000 |            | zone=default   | 8080:1023               |             |",
    "--expose  | 1000 |            | zone=default   | 8080:192.0.2.10:443     |             |",
    "--expose  | 1000 |            | zone=default   | 8080:9090,81:1          |             |",
    "--name    | 1000 |            | zone=default   |                         | bad name!   |",
    "--name    | 1000 |            | zone=default   |                         | a/b         |",
    "app_id    | 1000 |            | zone=default   |                         |             | XYZ",
    "app_id    | 1000 |            | zone=default   |                         |             | 0000BEEF",
  })
  void register_badFlag_refusedNamingTheFlagAndNothingStored(
      String field, int uid, String ip, String labels, String expose, String name, String appId) {
    var r = registration(
        appId == null ? "" : appId, uid, ip == null ? "" : ip, name == null ? "" : name, labels, expose == null ? List.of() : List.of(expose));

    assertThatThrownBy(() -> mesh.policy.register(r))
        .isInstanceOf(RegistrationRefusedException.class)
        .hasMessageStartingWith(field + ": ");
    assertThat(mesh.store.current().apps()).isEmpty();
    assertThat(mesh.store.current().version()).isZero();
  }

  @Test
  void register_nonRootPrivilegedExpose_messageSaysWhy() {
    var r = registration("", 1000, "", "", "zone=default", List.of("80:80"));

    assertThatThrownBy(() -> mesh.policy.register(r)).hasMessageContaining("host port 80 is privileged");
  }

  @Test
  void register_nameTooLong_refused() {
    var r = registration("", 1000, "", "n".repeat(254), "zone=default", List.of());

    assertThatThrownBy(() -> mesh.policy.register(r)).isInstanceOf(RegistrationRefusedException.class).hasMessageStartingWith("--name: ");
  }

  @Test
  void register_rootExposesPrivilegedPort_acceptedAndBindsIt() throws RegistrationRefusedException {
    AppGrant grant = mesh.policy.register(registration("", 0, "10.0.0.7", "", "zone=default", List.of("80:80")));

    assertThat(mesh.policy.bind(grant.appId(), Transport.TCP, any(80))).isEqualTo(new BindDecision.Real(any(80), ep("10.0.0.7", 80), PortChoice.FIXED));
  }

  @Test
  void register_nonRootExposesPort1024_accepted() throws RegistrationRefusedException {
    AppGrant grant = mesh.policy.register(registration("", 1000, "10.0.0.7", "", "zone=default", List.of("80:1024")));

    assertThat(mesh.policy.bind(grant.appId(), Transport.TCP, any(80))).isEqualTo(new BindDecision.Real(any(1024), ep("10.0.0.7", 80), PortChoice.FIXED));
  }

  @Test
  void register_emptyLabels_appHasNoLabels() throws RegistrationRefusedException {
    assertThat(stored(mesh.app("", "")).labels().isEmpty()).isTrue();
  }
}
