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
import io.ax.core.model.ServerEntry;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataplaneStateTest {

  @Test
  void empty_holdsNothing() {
    DataplaneState s = DataplaneState.EMPTY;

    assertThat(s.apps()).isEmpty();
    assertThat(s.servers()).isEmpty();
    assertThat(s.sockets()).isEmpty();
    assertThat(s.vservices()).isEmpty();
    assertThat(s.serversAt(Endpoints.of("10.0.0.1", 80))).isEmpty();
    assertThat(s.vserviceAt(Endpoints.of("10.0.0.1", 80))).isEmpty();
  }

  @Test
  void with_eachChange_newSnapshotOneVersionLater_oldOneUntouched() {
    DataplaneState s0 = DataplaneState.EMPTY;
    DataplaneState s1 = s0.withApp(app("0000000a", "10.0.0.1", "zone=default"));
    DataplaneState s2 = s1.withServer(server("s1", "0000000a", "10.0.0.1:80", "192.168.1.10:40000", "zone=default"));
    DataplaneState s3 = s2.withVService(vservice("web", "10.96.0.1", "80", "10.0.0.1"));

    long v = s0.version();
    assertThat(List.of(s1.version(), s2.version(), s3.version())).containsExactly(v + 1, v + 2, v + 3);
    assertThat(s0.apps()).isEmpty();
    assertThat(s1.servers()).isEmpty();
    assertThat(s2.vservices()).isEmpty();
    assertThat(s3.apps()).hasSize(1);
    assertThat(s3.servers()).hasSize(1);
  }

  @Test
  void serversAt_entriesSharingServiceAddress_sortedById() {
    DataplaneState s =
        DataplaneState.EMPTY
            .withServer(server("c", "0000000c", "10.0.0.5:80", "192.168.1.10:40002", "zone=default"))
            .withServer(server("a", "0000000a", "10.0.0.5:80", "192.168.1.10:40000", "zone=default"))
            .withServer(server("b", "0000000b", "10.0.0.5:80", "192.168.1.10:40001", "zone=default"))
            .withServer(server("d", "0000000d", "10.0.0.5:81", "192.168.1.10:40003", "zone=default"));

    assertThat(s.serversAt(Endpoints.of("10.0.0.5", 80))).extracting(ServerEntry::id).containsExactly("a", "b", "c");
    assertThat(s.serversAt(Endpoints.of("10.0.0.5", 81))).extracting(ServerEntry::id).containsExactly("d");
    assertThat(s.serversAt(Endpoints.of("192.168.1.10", 40000))).as("host addresses are not service addresses").isEmpty();
  }

  @Test
  void vserviceAt_everyMappedVport_andNoOther() {
    VService web = vservice("web", "10.96.0.1", LbPolicy.RANDOM, List.of("80:8080", "443:8443"), "10.0.0.5");
    DataplaneState s = DataplaneState.EMPTY.withVService(web);

    assertThat(s.vserviceAt(Endpoints.of("10.96.0.1", 80))).contains(web);
    assertThat(s.vserviceAt(Endpoints.of("10.96.0.1", 443))).contains(web);
    assertThat(s.vserviceAt(Endpoints.of("10.96.0.1", 8080))).as("app ports are not front ends").isEmpty();
    assertThat(s.vserviceAt(Endpoints.of("10.96.0.2", 80))).isEmpty();
  }

  @Test
  void withVService_sameName_replacesAndReindexes() {
    DataplaneState s =
        DataplaneState.EMPTY
            .withVService(vservice("web", "10.96.0.1", "80", "10.0.0.5"))
            .withVService(vservice("web", "10.96.0.2", "81", "10.0.0.5"));

    assertThat(s.vservices()).hasSize(1);
    assertThat(s.vserviceAt(Endpoints.of("10.96.0.1", 80))).isEmpty();
    assertThat(s.vserviceAt(Endpoints.of("10.96.0.2", 81))).isPresent();
  }

  @Test
  void withoutVService_dropsItsFrontends() {
    DataplaneState s = DataplaneState.EMPTY.withVService(vservice("web", "10.96.0.1", "80", "10.0.0.5")).withoutVService("web");

    assertThat(s.vservices()).isEmpty();
    assertThat(s.vserviceAt(Endpoints.of("10.96.0.1", 80))).isEmpty();
  }

  @Test
  void withoutServer_dropsItFromIndex() {
    DataplaneState s =
        DataplaneState.EMPTY
            .withServer(server("a", "0000000a", "10.0.0.5:80", "192.168.1.10:40000", "zone=default"))
            .withServer(server("b", "0000000b", "10.0.0.5:80", "192.168.1.10:40001", "zone=default"))
            .withoutServer("a");

    assertThat(s.serversAt(Endpoints.of("10.0.0.5", 80))).extracting(ServerEntry::id).containsExactly("b");
  }

  @Test
  void withoutApp_removesAppServersAndSockets_keepsOthersAndVServices() {
    DataplaneState s =
        DataplaneState.EMPTY
            .withApp(app("0000000a", "10.0.0.1", "zone=default"))
            .withApp(app("0000000b", "10.0.0.2", "zone=default"))
            .withServer(server("a", "0000000a", "10.0.0.1:80", "192.168.1.10:40000", "zone=default"))
            .withServer(server("b", "0000000b", "10.0.0.2:80", "192.168.1.10:40001", "zone=default"))
            .withSocket(socket("ka", "0000000a", 1))
            .withSocket(socket("kb", "0000000b", 2))
            .withVService(vservice("web", "10.96.0.1", "80", "10.0.0.1"));

    DataplaneState after = s.withoutApp(new AppId("0000000a"));

    assertThat(after.apps()).containsOnlyKeys(new AppId("0000000b"));
    assertThat(after.servers()).containsOnlyKeys("b");
    assertThat(after.sockets()).containsOnlyKeys("kb");
    assertThat(after.vservices()).containsOnlyKeys("web");
    assertThat(after.serversAt(Endpoints.of("10.0.0.1", 80))).isEmpty();
  }

  @Test
  void maps_sortedByKeyAndUnmodifiable() {
    DataplaneState s =
        DataplaneState.EMPTY
            .withVService(vservice("zeta", "10.96.0.3", "80", "10.0.0.5"))
            .withVService(vservice("alpha", "10.96.0.1", "80", "10.0.0.5"))
            .withVService(vservice("mid", "10.96.0.2", "80", "10.0.0.5"));

    assertThat(s.vservices().keySet()).containsExactly("alpha", "mid", "zeta");
    assertThatThrownBy(() -> s.vservices().remove("alpha")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.serversAt(Endpoints.of("10.0.0.5", 80)).add(null)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void of_exactResources_heldAndIndexed() {
    DataplaneState s =
        DataplaneState.of(
            List.of(app("0000000a", "10.0.0.1", "zone=default")),
            List.of(server("a", "0000000a", "10.0.0.1:80", "192.168.1.10:40000", "zone=default")),
            List.of(socket("ka", "0000000a", 1)),
            List.of(vservice("web", "10.96.0.1", "80", "10.0.0.1")));

    assertThat(s.apps()).containsOnlyKeys(new AppId("0000000a"));
    assertThat(s.sockets()).containsOnlyKeys("ka");
    assertThat(s.serversAt(Endpoints.of("10.0.0.1", 80))).hasSize(1);
    assertThat(s.vserviceAt(Endpoints.of("10.96.0.1", 80))).isPresent();
  }

  @Test
  void withVService_frontendOfAnother_refusedNamingBoth() {
    DataplaneState s = DataplaneState.EMPTY.withVService(vservice("a", "10.96.0.1", "80"));

    assertThatThrownBy(() -> s.withVService(vservice("c", "10.96.0.1", "80")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("vservices 'a' and 'c' both serve 10.96.0.1:80: a vIP:vport has one vservice");
    assertThat(s.vserviceAt(Endpoints.of("10.96.0.1", 80)).orElseThrow().name()).isEqualTo("a");
  }

  @Test
  void of_twoVServicesOnOneFrontend_refused() {
    assertThatThrownBy(() -> DataplaneState.of(List.of(), List.of(), List.of(), List.of(vservice("a", "10.96.0.1", "80"), vservice("b", "10.96.0.1", "80"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'a' and 'b' both serve 10.96.0.1:80");
  }

  @Test
  void of_duplicateIds_refused() {
    assertThatThrownBy(
            () ->
                DataplaneState.of(
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of(vservice("web", "10.96.0.1", "80", "10.0.0.1"), vservice("web", "10.96.0.2", "80", "10.0.0.1"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("web");
  }
}
