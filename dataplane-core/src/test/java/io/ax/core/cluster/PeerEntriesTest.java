package io.ax.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerEntriesTest {
  private static App app(String node, String id) {
    return new App(new AppId(id), "web-" + id, node, "test", Ipv4.parse("ip", "198.18.0.1"), "user", Labels.parse("labels", ""), 1);
  }

  private static ServerEntry server(String node, String id, String appId) {
    return new ServerEntry(
        id, new AppId(appId), "web", Transport.TCP, Endpoints.parse("s", "198.18.0.1:80"), Endpoints.parse("h", "10.0.0.1:40000"), Labels.parse("l", ""), node, "test");
  }

  private static SocketEntry socket(String node, String id, String appId) {
    return new SocketEntry(id, node, new AppId(appId), 42, Transport.TCP, 0, Endpoints.of("198.18.0.1", 80), 128);
  }

  private static final DataplaneState TABLE = DataplaneState.EMPTY
      .withApp(app("node1", "a0000001"))
      .withServer(server("node1", "node1/7", "a0000001"))
      .withSocket(socket("node1", "node1/7", "a0000001"))
      .withApp(app("node2", "b0000001"));

  @Test
  void keysAnotherNodeHolds_andEntriesOfItsApps_areRefused_theOwnersOwnAndFreeKeysAdmitted() {
    PeerEntries.Admitted a = PeerEntries.admit(TABLE, "node2",
        List.of(app("node2", "a0000001"), app("node2", "b0000001"), app("node2", "b0000002")),
        List.of(server("node2", "node1/7", "b0000001"), server("node2", "node2/9", "a0000001"), server("node2", "node2/8", "b0000002")),
        List.of(socket("node2", "node1/7", "b0000001"), socket("node2", "node2/8", "b0000002")));

    assertThat(a.apps()).extracting(App::id).containsExactly(new AppId("b0000001"), new AppId("b0000002"));
    assertThat(a.servers()).extracting(ServerEntry::id).containsExactly("node2/8");
    assertThat(a.sockets()).extracting(SocketEntry::id).containsExactly("node2/8");
    assertThat(a.refused()).containsExactly(
        "a0000001 (held by node node1)", "node1/7 (held by node node1)", "server node2/9 (its app a0000001 is on node node1)", "node1/7 (held by node node1)");
  }

  @Test
  void countAfter_addsNewKeys_andTakesOffOnlyRemovalsOfTheOwnersEntries() {
    DataplaneState st = TABLE.withApp(app("node2", "b0000002"));
    PeerEntries.Admitted puts = PeerEntries.admit(st, "node2", List.of(app("node2", "b0000002"), app("node2", "b0000003")), List.of(), List.of());

    int after = PeerEntries.countAfter(st, "node2", 2, puts, List.of(new AppId("b0000001"), new AppId("a0000001"), new AppId("b0000001")), List.of("node1/7"), List.of());

    // 2, less b0000001 (once; a0000001 and node1/7 are node1's), plus b0000003 (b0000002 exists).
    assertThat(after).isEqualTo(2);
  }

  @Test
  void withoutApp_leavesAnotherNodesEntriesThatNameTheSameAppId() {
    DataplaneState st = TABLE.withServer(server("node2", "node2/5", "a0000001")).withSocket(socket("node2", "node2/5", "a0000001"));

    DataplaneState next = st.withoutApp(new AppId("a0000001"));

    assertThat(next.servers()).containsOnlyKeys("node2/5");
    assertThat(next.sockets()).containsOnlyKeys("node2/5");
  }
}
