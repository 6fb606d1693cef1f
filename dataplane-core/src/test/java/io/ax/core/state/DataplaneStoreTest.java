package io.ax.core.state;

import static io.ax.core.state.StateFixtures.app;
import static io.ax.core.state.StateFixtures.server;
import static io.ax.core.state.StateFixtures.socket;
import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.AppId;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DataplaneStoreTest {
  private final RecordingPersistence persistence = new RecordingPersistence();
  private final DataplaneStore store = new DataplaneStore(DataplaneState.EMPTY, persistence);

  /** Keeps what it was asked to save; fails with an IOException while {@code failing} is set. */
  static final class RecordingPersistence implements StatePersistence {
    final List<DataplaneState> saved = new ArrayList<>();
    boolean failing;

    @Override
    public void save(DataplaneState state) throws IOException {
      if (failing) {
        throw new IOException("disk full");
      }
      saved.add(state);
    }
  }

  record Event(String listener, DataplaneState before, DataplaneState after) {}

  @Test
  void createVService_newName_isSavedThenPublished() {
    VService web = vservice("web", "10.96.0.1", "80:8080", "10.0.0.5");

    assertThat(store.createVService(web)).isEqualTo(web);

    assertThat(store.current().vservices()).containsOnlyKeys("web");
    assertThat(persistence.saved).containsExactly(store.current());
  }

  @Test
  void createVService_nameTaken_alreadyExistsAndStateUnchanged() {
    store.createVService(vservice("web", "10.96.0.1", "80:8080", "10.0.0.5"));
    DataplaneState before = store.current();

    assertThatThrownBy(() -> store.createVService(vservice("web", "10.96.0.2", "80:8080", "10.0.0.6")))
        .isInstanceOfSatisfying(ResourceException.class, e -> assertThat(e.kind()).isEqualTo(ResourceException.Kind.ALREADY_EXISTS))
        .hasMessageContaining("'web'");
    assertThat(store.current()).isSameAs(before);
    assertThat(persistence.saved).hasSize(1);
  }

  @Test
  void createVService_frontendServedByAnother_conflictNamingBoth() {
    store.createVService(vservice("web", "10.96.0.1", LbPolicy.RANDOM, List.of("80:8080", "443:8443"), "10.0.0.5"));
    DataplaneState before = store.current();

    assertThatThrownBy(() -> store.createVService(vservice("api", "10.96.0.1", LbPolicy.RANDOM, List.of("8443", "443"), "10.0.0.6")))
        .isInstanceOfSatisfying(ResourceException.class, e -> assertThat(e.kind()).isEqualTo(ResourceException.Kind.CONFLICT))
        .hasMessageContaining("'web'")
        .hasMessageContaining("10.96.0.1:443");
    assertThat(store.current()).isSameAs(before);
  }

  @Test
  void createVService_overALiveAppsAddress_isRefusedUnlessForced() {
    // Issue 17: a vservice on a live app's vIP:port takes its clients; only on purpose.
    store.putServer(new io.ax.core.model.ServerEntry("s1", new io.ax.core.model.AppId("a0000001"), "web", io.ax.bridge.SocketPolicy.Transport.TCP,
        io.ax.core.net.Endpoints.parse("s", "10.96.0.9:80"), io.ax.core.net.Endpoints.parse("h", "192.0.2.1:40000"), io.ax.core.model.Labels.DEFAULT, "node1", "c"));
    DataplaneState before = store.current();

    assertThatThrownBy(() -> store.createVService(vservice("thief", "10.96.0.9", "80:8080", "10.0.0.66")))
        .isInstanceOfSatisfying(ResourceException.class, e -> assertThat(e.kind()).isEqualTo(ResourceException.Kind.CONFLICT))
        .hasMessage("10.96.0.9:80 is served by app a0000001 ('web' on node node1): a vservice there would take its clients; force it to replace them");
    assertThat(store.current()).isSameAs(before);

    store.createVService(vservice("migrate", "10.96.0.9", "80:8080", "10.0.0.66"), true);
    assertThat(store.current().vservices()).containsKey("migrate");
  }

  @Test
  void createVService_sameVipOtherPortOrSamePortOtherVip_accepted() {
    store.createVService(vservice("web", "10.96.0.1", "80:8080", "10.0.0.5"));

    store.createVService(vservice("api", "10.96.0.1", "81:8080", "10.0.0.5"));
    store.createVService(vservice("db", "10.96.0.2", "80:8080", "10.0.0.5"));

    assertThat(store.current().vservices()).containsOnlyKeys("api", "db", "web");
  }

  @Test
  void deleteVService_existing_returnsItAndFreesFrontend() {
    VService web = vservice("web", "10.96.0.1", "80:8080", "10.0.0.5");
    store.createVService(web);

    assertThat(store.deleteVService("web")).isEqualTo(web);

    assertThat(store.current().vservices()).isEmpty();
    assertThat(store.current().vserviceAt(Endpoints.of("10.96.0.1", 80))).isEmpty();
    store.createVService(vservice("web2", "10.96.0.1", "80:9090", "10.0.0.7"));
    assertThat(store.current().vservices()).containsOnlyKeys("web2");
  }

  @Test
  void deleteVService_missingName_notFoundAndNothingSaved() {
    assertThatThrownBy(() -> store.deleteVService("nope"))
        .isInstanceOfSatisfying(ResourceException.class, e -> assertThat(e.kind()).isEqualTo(ResourceException.Kind.NOT_FOUND))
        .hasMessageContaining("'nope'");
    assertThat(store.current()).isSameAs(DataplaneState.EMPTY);
    assertThat(persistence.saved).isEmpty();
  }

  static Stream<Arguments> changes() {
    return Stream.of(
        Arguments.of("createVService", (Consumer<DataplaneStore>) s -> s.createVService(vservice("db", "10.96.0.9", "5432", "10.0.0.9"))),
        Arguments.of("deleteVService", (Consumer<DataplaneStore>) s -> s.deleteVService("web")),
        Arguments.of("putApp", (Consumer<DataplaneStore>) s -> s.putApp(app("0000000b", "10.0.0.2", "zone=default"))),
        Arguments.of("removeApp", (Consumer<DataplaneStore>) s -> s.removeApp(new AppId("0000000a"))),
        Arguments.of("putServer", (Consumer<DataplaneStore>) s -> s.putServer(server("s2", "0000000a", "10.0.0.1:81", "192.168.1.10:40001", "zone=default"))),
        Arguments.of("removeServer", (Consumer<DataplaneStore>) s -> s.removeServer("s1")),
        Arguments.of("putSocket", (Consumer<DataplaneStore>) s -> s.putSocket(socket("k2", "0000000a", 43))),
        Arguments.of("removeSocket", (Consumer<DataplaneStore>) s -> s.removeSocket("k1")));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("changes")
  void change_persistenceFails_stateWriteExceptionAndStateUnchanged(String name, Consumer<DataplaneStore> change) {
    seed();
    DataplaneState before = store.current();
    List<Event> events = new ArrayList<>();
    store.addListener((b, a) -> events.add(new Event("l", b, a)));
    persistence.failing = true;

    assertThatThrownBy(() -> change.accept(store))
        .isInstanceOf(StateWriteException.class)
        .hasMessageContaining("disk full")
        .hasCauseInstanceOf(IOException.class);
    assertThat(store.current()).isSameAs(before);
    assertThat(events).isEmpty();

    persistence.failing = false;
    change.accept(store); // the same change goes through once the disk is back
    assertThat(store.current()).isNotSameAs(before);
    assertThat(store.current().version()).isEqualTo(before.version() + 1);
    assertThat(events).hasSize(1);
  }

  @Test
  void commit_listeners_seeBeforeAndAfterInCommitAndRegistrationOrder() {
    List<Event> events = new ArrayList<>();
    store.addListener((b, a) -> events.add(new Event("first", b, a)));
    store.addListener((b, a) -> events.add(new Event("second", b, a)));
    DataplaneState s0 = store.current();

    store.putApp(app("0000000a", "10.0.0.1", "zone=default"));
    DataplaneState s1 = store.current();
    store.createVService(vservice("web", "10.96.0.1", "80", "10.0.0.1"));
    DataplaneState s2 = store.current();

    assertThat(events)
        .containsExactly(
            new Event("first", s0, s1), new Event("second", s0, s1), new Event("first", s1, s2), new Event("second", s1, s2));
    assertThat(List.of(s1.version(), s2.version())).containsExactly(s0.version() + 1, s0.version() + 2);
  }

  @Test
  void commit_removedListener_notTold() {
    List<Event> events = new ArrayList<>();
    StateListener listener = (b, a) -> events.add(new Event("l", b, a));
    store.addListener(listener);

    store.removeListener(listener);
    store.putApp(app("0000000a", "10.0.0.1", "zone=default"));

    assertThat(events).isEmpty();
  }

  @Test
  void commit_noChange_neitherSavedNorTold() {
    List<Event> events = new ArrayList<>();
    store.addListener((b, a) -> events.add(new Event("l", b, a)));

    store.removeApp(new AppId("0000abcd"));
    store.removeServer("missing");
    store.removeSocket("missing");
    DataplaneState result = store.commit(s -> s);

    assertThat(result).isSameAs(DataplaneState.EMPTY);
    assertThat(persistence.saved).isEmpty();
    assertThat(events).isEmpty();
  }

  @Test
  void removeApp_removesItsServersAndSocketsOnly() {
    store.putApp(app("0000000a", "10.0.0.1", "zone=default"));
    store.putApp(app("0000000b", "10.0.0.2", "zone=default"));
    store.putServer(server("a-80", "0000000a", "10.0.0.1:80", "192.168.1.10:40000", "zone=default"));
    store.putServer(server("a-81", "0000000a", "10.0.0.1:81", "192.168.1.10:40001", "zone=default"));
    store.putServer(server("b-80", "0000000b", "10.0.0.2:80", "192.168.1.10:40002", "zone=default"));
    store.putSocket(socket("a-sock", "0000000a", 11));
    store.putSocket(socket("b-sock", "0000000b", 12));

    store.removeApp(new AppId("0000000a"));

    DataplaneState s = store.current();
    assertThat(s.apps()).containsOnlyKeys(new AppId("0000000b"));
    assertThat(s.servers()).containsOnlyKeys("b-80");
    assertThat(s.sockets()).containsOnlyKeys("b-sock");
    assertThat(s.serversAt(Endpoints.of("10.0.0.1", 80))).isEmpty();
    assertThat(s.serversAt(Endpoints.of("10.0.0.2", 80))).extracting(e -> e.id()).containsExactly("b-80");
  }

  @Test
  void commit_refusingChange_leavesStateAndPropagates() {
    DataplaneState before = store.current();

    assertThatThrownBy(() -> store.commit(s -> {
          throw new IllegalStateException("no");
        }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(store.current()).isSameAs(before);
    assertThat(persistence.saved).isEmpty();
  }

  /** One app with a server, a socket and a vservice, saved (seeding goes through persistence). */
  private void seed() {
    store.putApp(app("0000000a", "10.0.0.1", "zone=default"));
    store.putServer(server("s1", "0000000a", "10.0.0.1:80", "192.168.1.10:40000", "zone=default"));
    store.putSocket(socket("k1", "0000000a", 42));
    store.createVService(vservice("web", "10.96.0.1", "80:8080", "10.0.0.5"));
  }
}
