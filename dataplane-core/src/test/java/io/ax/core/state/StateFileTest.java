package io.ax.core.state;

import static io.ax.core.state.StateFixtures.CLUSTER;
import static io.ax.core.state.StateFixtures.NODE;
import static io.ax.core.state.StateFixtures.app;
import static io.ax.core.state.StateFixtures.ip;
import static io.ax.core.state.StateFixtures.server;
import static io.ax.core.state.StateFixtures.socket;
import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


import io.ax.admin.v1.DaemonState;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Backend;
import io.ax.core.model.Labels;
import io.ax.core.model.PortMapping;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StateFileTest {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("state.pb");
  }

  /** Where an earlier version of the daemon kept the state, as JSON. */
  private Path legacyJson() {
    return dir.resolve("state.json");
  }

  /** A vservice with every field away from its default. */
  private static VService everyField() {
    return new VService(
        "api.prod",
        ip("10.96.0.7"),
        List.of(new PortMapping(80, 8080), new PortMapping(443, 8443)),
        List.of(Backend.of(ip("10.0.0.5")), new Backend(ip("10.0.0.6"), OptionalInt.of(9090))),
        LbPolicy.ROUND_ROBIN,
        VService.Exposure.EXTERNAL,
        Optional.of(ip("192.168.1.2")));
  }

  private static DataplaneState sample() {
    return DataplaneState.EMPTY
        .withApp(app("f00001bb", "10.0.2.15", "zone=default,tier=web"))
        .withApp(app("0000abcd", "10.0.2.16", ""))
        .withServer(server("s1", "f00001bb", "10.0.2.15:9080", "10.0.2.15:40000", "zone=default"))
        .withServer(server("s2", "0000abcd", "10.0.2.16:80", "10.0.2.16:40001", ""))
        .withSocket(socket("k1", "f00001bb", 4242))
        .withVService(everyField())
        .withVService(vservice("web", "10.96.0.1", "80:8080", "10.0.0.5"));
  }

  @Test
  void load_afterSave_roundTripsEveryResourceAndField() throws IOException {
    DataplaneState saved = sample();
    StateFile stateFile = new StateFile(file());

    stateFile.save(saved);
    DataplaneState loaded = new StateFile(file()).load().orElseThrow();

    assertThat(loaded.vservices()).isEqualTo(saved.vservices());
    assertThat(loaded.vservices().get("api.prod")).isEqualTo(everyField());
    assertThat(loaded.vservices().get("web").exposure()).isEqualTo(VService.Exposure.INTERNAL);
    assertThat(loaded.vservices().get("web").sourceIp()).isEmpty();
    assertThat(loaded.apps()).isEqualTo(saved.apps());
    assertThat(loaded.servers()).isEqualTo(saved.servers());
    assertThat(loaded.sockets()).isEqualTo(saved.sockets());
    // The indexes are rebuilt from what was read.
    assertThat(loaded.vserviceAt(Endpoints.of("10.96.0.7", 443))).contains(everyField());
    assertThat(loaded.serversAt(Endpoints.of("10.0.2.15", 9080))).extracting(ServerEntry::id).containsExactly("s1");
  }

  @Test
  void save_ofAClusteredNode_keepsItsOwnEntriesAndEveryVService_andSkipsChangesOfOthers() throws IOException {
    App peerApp = new App(new AppId("0000beef"), "peer", "node-2", CLUSTER, ip("10.0.3.1"), "user", Labels.parse("l", ""), 7);
    DataplaneState mixed = sample().withApp(peerApp);
    StateFile stateFile = new StateFile(file(), Optional.of(NODE));

    stateFile.save(mixed);
    long written = Files.getLastModifiedTime(file()).toMillis();
    Files.setLastModifiedTime(file(), java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
    stateFile.save(mixed.withoutApp(peerApp.id()));
    DataplaneState loaded = new StateFile(file()).load().orElseThrow();

    assertThat(loaded.apps()).isEqualTo(sample().apps()).doesNotContainKey(peerApp.id());
    assertThat(loaded.vservices()).isEqualTo(sample().vservices());
    assertThat(Files.getLastModifiedTime(file()).toMillis()).as("a peer's change writes nothing").isEqualTo(written - 60_000);
  }

  @Test
  void save_fileIsReadableByItsOwnerOnly() throws IOException {
    new StateFile(file()).save(sample());

    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
  }

  @Test
  void save_twice_secondReplacesFirstAndNoTempFileLeft() throws IOException {
    StateFile stateFile = new StateFile(file());

    stateFile.save(sample());
    stateFile.save(DataplaneState.EMPTY.withVService(vservice("only", "10.96.0.9", "53")));

    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("state.pb");
    }
    assertThat(stateFile.load().orElseThrow().vservices()).containsOnlyKeys("only");
  }

  @Test
  void save_emptyState_loadsAsEmpty() throws IOException {
    StateFile stateFile = new StateFile(file());

    stateFile.save(DataplaneState.EMPTY);
    DataplaneState loaded = stateFile.load().orElseThrow();

    assertThat(loaded.apps()).isEmpty();
    assertThat(loaded.servers()).isEmpty();
    assertThat(loaded.sockets()).isEmpty();
    assertThat(loaded.vservices()).isEmpty();
  }

  @Test
  void save_bytesAreTheWholeMessagesCanonicalEncoding() throws IOException {
    DataplaneState state = sample();
    DaemonState.Builder whole = DaemonState.newBuilder().setFormatVersion(StateFile.FORMAT_VERSION);
    state.apps().values().forEach(a -> whole.addApps(io.ax.core.proto.Protos.app(a)));
    state.servers().values().forEach(e -> whole.addServers(io.ax.core.proto.Protos.server(e)));
    state.sockets().values().forEach(k -> whole.addSockets(io.ax.core.proto.Protos.socket(k)));
    state.vservices().values().forEach(v -> whole.addVservices(io.ax.core.proto.Protos.vservice(v)));

    new StateFile(file()).save(state);

    assertThat(Files.readAllBytes(file())).isEqualTo(whole.build().toByteArray());
  }

  @Test
  void save_appsChangeThenVServicesChange_eachSaveHoldsTheStateItWasGiven() throws IOException {
    StateFile stateFile = new StateFile(file());
    DataplaneState first = sample();
    stateFile.save(first);

    // Same vservice map (the encoded one is reused), other apps.
    DataplaneState appsChanged = first.withApp(app("0000beef", "10.0.2.17", "zone=default")).withoutApp(new io.ax.core.model.AppId("0000abcd"));
    stateFile.save(appsChanged);
    DataplaneState loaded = stateFile.load().orElseThrow();
    assertThat(loaded.apps()).isEqualTo(appsChanged.apps());
    assertThat(loaded.servers()).isEqualTo(appsChanged.servers());
    assertThat(loaded.vservices()).isEqualTo(first.vservices());

    // A new vservice map: encoded afresh.
    DataplaneState vservicesChanged = appsChanged.withoutVService("web").withVService(vservice("db", "10.96.0.3", "5432", "10.0.0.9"));
    stateFile.save(vservicesChanged);
    loaded = stateFile.load().orElseThrow();
    assertThat(loaded.vservices()).containsOnlyKeys("api.prod", "db").isEqualTo(vservicesChanged.vservices());
    assertThat(loaded.apps()).isEqualTo(appsChanged.apps());
  }

  @Test
  void save_writesTheAdminApiMessageInBinary() throws IOException {
    new StateFile(file()).save(sample());

    DaemonState written = DaemonState.parseFrom(Files.readAllBytes(file()));
    assertThat(written.getFormatVersion()).isEqualTo(1);
    assertThat(written.getVservicesList()).extracting(io.ax.admin.v1.VService::getName).containsExactlyInAnyOrder("api.prod", "web");
  }

  @Test
  void load_legacyJsonOnly_readsItAndTheNextSaveReplacesIt() throws IOException {
    Files.writeString(legacyJson(), """
        {"format_version": 1, "vservices": [{"name": "old", "ip": "1.1.1.1", "lb_type": "ROUND_ROBIN", "ports": [{"vport": 80, "app_port": 8080}]}]}
        """);
    StateFile stateFile = new StateFile(file());

    DataplaneState loaded = stateFile.load().orElseThrow();
    assertThat(loaded.vservices()).containsOnlyKeys("old");
    stateFile.save(loaded);

    assertThat(legacyJson()).doesNotExist();
    assertThat(stateFile.load().orElseThrow().vservices()).containsOnlyKeys("old");
  }

  @Test
  void load_corruptBinary_throwsNamingTheFile() throws IOException {
    Files.write(file(), new byte[] {(byte) 0x0a, (byte) 0xff, (byte) 0xff});

    assertThatThrownBy(() -> new StateFile(file()).load())
        .isInstanceOf(StateFile.StateFileException.class)
        .hasMessageContaining(file().toString())
        .hasMessageContaining("is not a valid state file");
  }

  @Test
  void load_newerBinaryFormat_throwsNamingTheVersion() throws IOException {
    Files.write(file(), DaemonState.newBuilder().setFormatVersion(2).build().toByteArray());

    assertThatThrownBy(() -> new StateFile(file()).load())
        .isInstanceOf(StateFile.StateFileException.class)
        .hasMessageContaining("has format version 2");
  }

  @Test
  void load_missingFile_empty() {
    assertThat(new StateFile(file()).load()).isEmpty();
  }

  @Test
  void delete_savedState_loadIsEmptyAgain() throws IOException {
    StateFile stateFile = new StateFile(file());
    stateFile.save(sample());

    stateFile.delete();

    assertThat(stateFile.load()).isEmpty();
    stateFile.delete(); // harmless when there is nothing
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      corrupt JSON             | {"format_version": 1, "vservices": [           | is not a valid state file
      not JSON at all          | state: ok                                      | is not a valid state file
      wrong field type         | {"format_version": "one"}                      | is not a valid state file
      a newer format version   | {"format_version": 2}                          | has format version 2
      no format version        | {"vservices": []}                              | has format version 0
      a vservice with a bad ip | {"format_version": 1, "vservices": [{"name": "web", "ip": "1.1.1", "ports": [{"vport": 80, "app_port": 80}]}]} | vservices[0].ip
      a vservice without ports | {"format_version": 1, "vservices": [{"name": "web", "ip": "1.1.1.1"}]} | invalid entry
      two vservices on one vIP:vport | {"format_version": 1, "vservices": [{"name": "a", "ip": "10.96.0.1", "ports": [{"vport": 80, "app_port": 80}]}, {"name": "c", "ip": "10.96.0.1", "ports": [{"vport": 80, "app_port": 80}]}]} | both serve 10.96.0.1:80
      two vservices, one name  | {"format_version": 1, "vservices": [{"name": "a", "ip": "1.1.1.1", "ports": [{"vport": 80, "app_port": 80}]}, {"name": "a", "ip": "1.1.1.2", "ports": [{"vport": 80, "app_port": 80}]}]} | duplicate
      an app with a bad id     | {"format_version": 1, "apps": [{"app_id": "xyz", "app_ip": "10.0.0.1"}]} | app_id
      """)
  void load_unusableLegacyJson_throwsNamingTheFileAndLeavesItInPlace(String label, String content, String reason) throws IOException {
    Files.writeString(legacyJson(), content, StandardCharsets.UTF_8);

    assertThatThrownBy(() -> new StateFile(file()).load())
        .isInstanceOf(StateFile.StateFileException.class)
        .hasMessageContaining(legacyJson().toString())
        .hasMessageContaining(reason);
    assertThat(legacyJson()).exists().hasContent(content);
  }

  @Test
  void load_fileIsADirectory_throwsNamingIt() throws IOException {
    Files.createDirectory(file());

    assertThatThrownBy(() -> new StateFile(file()).load())
        .isInstanceOf(StateFile.StateFileException.class)
        .hasMessageContaining(file().toString());
    assertThat(file()).isDirectory();
  }

  @Test
  void save_intoMissingDirectory_throwsAndLeavesNothing() {
    Path missing = dir.resolve("gone").resolve("state.pb");

    assertThatThrownBy(() -> new StateFile(missing).save(sample())).isInstanceOf(IOException.class);
    assertThat(missing.getParent()).doesNotExist();
  }
}
