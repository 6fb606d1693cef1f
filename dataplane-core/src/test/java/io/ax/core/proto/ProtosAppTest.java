package io.ax.core.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.ExposedPort;
import io.ax.core.model.Labels;
import io.ax.core.net.Ipv4;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@link Protos#app} both ways, with the app's {@code --expose} mappings. */
class ProtosAppTest {
  private static App app(List<ExposedPort> exposures) {
    return new App(new AppId("f00001bb"), "web", "n1", "c", Ipv4.parse("ip", "10.0.2.15"), "user", Labels.parse("l", "zone=default,tier=web"), 4242, exposures);
  }

  @Test
  void app_roundTrip_keepsEveryFieldAndTheExposures() {
    App app = app(List.of(new ExposedPort(80, Optional.empty(), 8080), new ExposedPort(443, Optional.of(Ipv4.parse("ip", "192.0.2.10")), 8443)));

    io.ax.admin.v1.App m = Protos.app(app);

    assertThat(m.getExposuresList()).extracting(io.ax.admin.v1.ExposedPort::getNodeIp).containsExactly("", "192.0.2.10");
    assertThat(Protos.app(m)).isEqualTo(app);
  }

  @Test
  void app_ownerUid_roundTrips_root_included_andAnOlderFileWithoutItReadsAsUnknown() {
    for (int uid : new int[] {0, 1000}) {
      App owned = new App(new AppId("f00001bb"), "web", "n1", "c", Ipv4.parse("ip", "10.0.2.15"), "user", Labels.DEFAULT, 4242, List.of(), uid);
      assertThat(Protos.app(Protos.app(owned)).ownerUid()).isEqualTo(uid);
    }
    io.ax.admin.v1.App older = Protos.app(app(List.of())).toBuilder().clearOwnerUid().build();

    assertThat(Protos.app(older).ownerUid()).isEqualTo(App.UNKNOWN_UID);
  }

  @Test
  void app_withoutExposures_noneOnTheWire() {
    assertThat(Protos.app(app(List.of())).getExposuresCount()).isZero();
  }

  @ParameterizedTest(name = "app_port {0} node_ip ''{1}'' host_port {2}")
  @CsvSource(delimiter = '|', value = {
    // app port | node ip      | host port | the error names
    "0          |              | 8080      | exposures[0].app_port: port 0 is out of range",
    "80         |              | 0         | exposures[0].host_port: port 0 is out of range",
    "80         |              | 70000     | exposures[0].host_port: port 70000 is out of range",
    "-1         |              | 8080      | exposures[0].app_port: port 4294967295 is out of range",
    "80         | 10.0.0       | 8080      | exposures[0].node_ip: ",
  })
  void app_badExposure_refusedNamingTheField(int appPort, String nodeIp, int hostPort, String message) {
    io.ax.admin.v1.App m = Protos.app(app(List.of())).toBuilder()
        .addExposures(io.ax.admin.v1.ExposedPort.newBuilder().setAppPort(appPort).setNodeIp(nodeIp == null ? "" : nodeIp).setHostPort(hostPort))
        .build();

    assertThatThrownBy(() -> Protos.app(m)).isInstanceOf(InvalidFieldException.class).hasMessageStartingWith(message);
  }
}
