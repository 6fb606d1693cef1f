package io.ax.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.admin.v1.DaemonState;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.ExposedPort;
import io.ax.core.model.Labels;
import io.ax.core.net.Ipv4;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An app's {@code --expose} mappings in the state file, and files written before they were. */
class StateFileExposuresTest {
  @TempDir Path dir;

  private static App exposing(List<ExposedPort> exposures) {
    return new App(new AppId("f00001bb"), "web", "n1", "c", Ipv4.parse("ip", "10.0.2.15"), "user", Labels.DEFAULT, 4242, exposures);
  }

  @Test
  void load_afterSave_keepsTheExposuresInOrder() throws IOException {
    App app = exposing(List.of(new ExposedPort(443, Optional.of(Ipv4.parse("ip", "192.0.2.10")), 8443), new ExposedPort(80, Optional.empty(), 8080)));
    StateFile file = new StateFile(dir.resolve("state.pb"));

    file.save(DataplaneState.EMPTY.withApp(app));

    assertThat(file.load().orElseThrow().apps().get(app.id())).isEqualTo(app);
  }

  @Test
  void load_fileOfAnOlderDaemon_appsWithoutExposures() throws IOException {
    // What a daemon before exposures were persisted wrote: an App message without field 9.
    io.ax.admin.v1.App old = io.ax.admin.v1.App.newBuilder()
        .setAppId("f00001bb").setName("web").setNodeId("n1").setCluster("c").setAppIp("10.0.2.15").setDriver("user").setPid(4242).build();
    Files.write(dir.resolve("state.pb"), DaemonState.newBuilder().setFormatVersion(StateFile.FORMAT_VERSION).addApps(old).build().toByteArray());

    App loaded = new StateFile(dir.resolve("state.pb")).load().orElseThrow().apps().get(new AppId("f00001bb"));

    assertThat(loaded.exposures()).isEmpty();
    assertThat(loaded.name()).isEqualTo("web");
  }

  @Test
  void load_exposureWithPortZero_refusedNamingTheField() throws IOException {
    io.ax.admin.v1.App bad = io.ax.admin.v1.App.newBuilder()
        .setAppId("f00001bb").setName("web").setAppIp("10.0.2.15")
        .addExposures(io.ax.admin.v1.ExposedPort.newBuilder().setAppPort(80).setHostPort(0))
        .build();
    Files.write(dir.resolve("state.pb"), DaemonState.newBuilder().setFormatVersion(StateFile.FORMAT_VERSION).addApps(bad).build().toByteArray());

    assertThatThrownBy(() -> new StateFile(dir.resolve("state.pb")).load())
        .isInstanceOf(StateFile.StateFileException.class)
        .hasMessageContaining("exposures[0].host_port: port 0 is out of range");
  }
}
