package io.ax.core.cluster;

import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.admin.v1.App;
import io.ax.admin.v1.Server;
import io.ax.cluster.v1.NodeMeta;
import io.ax.cluster.v1.PeerMessage;
import io.ax.cluster.v1.Snapshot;
import io.ax.cluster.v1.Stamp;
import io.ax.cluster.v1.VServiceUpdate;
import io.ax.cluster.v1.VServiceUpdates;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.net.Ipv4;
import io.ax.core.proto.Protos;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What a broken or hostile peer can send: each is refused with a reason, never another exception. */
class PeerMessagesTest {
  private static final ClusterConfig.Limits LIMITS = new ClusterConfig.Limits(1 << 20, 10, 5);

  private static App app(String node, String id) {
    return Protos.app(new io.ax.core.model.App(new AppId(id), "web", node, "c", Ipv4.parse("ip", "198.18.0.1"), "user", Labels.parse("l", ""), 1));
  }

  private static Snapshot.Builder snapshot(String node) {
    return Snapshot.newBuilder().setNode(NodeMeta.newBuilder().setName(node)).setIncarnation(1).setSeq(1);
  }

  @Test
  void parse_garbageBytes_areRefusedAsMalformed_neverWithAnotherException() {
    Random random = new Random(1);
    int refused = 0;
    for (int i = 0; i < 2000; i++) {
      byte[] bytes = new byte[random.nextInt(300)];
      random.nextBytes(bytes);
      try {
        PeerMessage m = PeerMessages.parse(bytes, 0, bytes.length, LIMITS);
        // Some random bytes are a valid message: the checks after parsing must then hold.
        switch (m.getBodyCase()) {
          case SNAPSHOT -> PeerMessages.check(m.getSnapshot(), LIMITS);
          case DELTA -> PeerMessages.check(m.getDelta(), LIMITS);
          case VSERVICES -> PeerMessages.check(m.getVservices(), LIMITS, new ArrayList<>());
          default -> {}
        }
      } catch (PeerMessages.MalformedPeerMessage e) {
        refused++;
      }
    }
    assertThat(refused).isGreaterThan(1000);
  }

  @Test
  void parse_overTheSizeLimit_orWithNoBody_isRefused() {
    assertThatThrownBy(() -> PeerMessages.parse(new byte[(1 << 20) + 1], 0, (1 << 20) + 1, LIMITS))
        .isInstanceOf(PeerMessages.MalformedPeerMessage.class).hasMessage("1048577 bytes, more than the 1048576 allowed");
    assertThatThrownBy(() -> PeerMessages.parse(new byte[0], 0, 0, LIMITS))
        .isInstanceOf(PeerMessages.MalformedPeerMessage.class).hasMessageContaining("no body");
  }

  @Test
  void check_snapshotWithAnEntryOfAnotherNode_isRefused() {
    Snapshot s = snapshot("node2").addApps(app("node1", "a0000001")).build();

    assertThatThrownBy(() -> PeerMessages.check(s, LIMITS))
        .hasMessage("node node2 sent an entry of node node1: a node speaks only for its own entries");
  }

  @Test
  void check_snapshotWithAnInvalidEntry_tooManyEntries_orABadName_isRefused() {
    Snapshot badIp = snapshot("node2").addServers(Server.newBuilder().setId("x").setAppId("a0000001").setNodeId("node2")
        .setServiceAddr(io.ax.admin.v1.Endpoint.newBuilder().setIp("300.1.1.1").setPort(80))).build();
    Snapshot.Builder many = snapshot("node2");
    for (int i = 0; i < 11; i++) {
      many.addApps(app("node2", String.format("a%07d", i)));
    }

    assertThatThrownBy(() -> PeerMessages.check(badIp, LIMITS)).isInstanceOf(PeerMessages.MalformedPeerMessage.class).hasMessageStartingWith("node node2 sent an invalid entry: ");
    assertThatThrownBy(() -> PeerMessages.check(many.build(), LIMITS)).hasMessage("node node2 sent 11 entries, more than the 10 allowed");
    assertThatThrownBy(() -> PeerMessages.check(snapshot("bad name").build(), LIMITS)).hasMessage("a node name that is not 1-253 printable characters");
  }

  @Test
  void check_vserviceUpdates_keepTheValidOnes_andReportEachInvalidOne() throws Exception {
    io.ax.admin.v1.VService good = Protos.vservice(vservice("web", "198.19.0.1", LbPolicy.RANDOM, List.of("80:8080"), "198.18.0.1"));
    VServiceUpdates m = VServiceUpdates.newBuilder()
        .addUpdates(VServiceUpdate.newBuilder().setName("web").setStamp(Stamp.newBuilder().setClock(3).setOrigin("node2")).setValue(good))
        .addUpdates(VServiceUpdate.newBuilder().setName("bad").setStamp(Stamp.newBuilder().setClock(3).setOrigin("node2")).setValue(good.toBuilder().setName("bad").setIp("0.0.0.0")))
        .addUpdates(VServiceUpdate.newBuilder().setName("other").setStamp(Stamp.newBuilder().setClock(3).setOrigin("node2")).setValue(good))
        .addUpdates(VServiceUpdate.newBuilder().setName("gone").setStamp(Stamp.newBuilder().setClock(4).setOrigin("node2")))
        .build();
    List<String> invalid = new ArrayList<>();

    List<VServiceRegisters.Write> writes = PeerMessages.check(m, LIMITS, invalid);

    assertThat(writes).extracting(VServiceRegisters.Write::name).containsExactly("web", "gone");
    assertThat(invalid).hasSize(2);
    assertThat(invalid.get(0)).startsWith("'bad': ");
    assertThat(invalid.get(1)).isEqualTo("'other': update for 'other' carries vservice 'web'");
  }

  @Test
  void check_vserviceUpdates_takeTheUnstampedMarkOfAnUpgradedNode_andRefuseAClockOutOfReach() throws Exception {
    io.ax.admin.v1.VService good = Protos.vservice(vservice("web", "198.19.0.1", LbPolicy.RANDOM, List.of("80:8080"), "198.18.0.1"));
    VServiceUpdates m = VServiceUpdates.newBuilder()
        .addUpdates(VServiceUpdate.newBuilder().setName("web").setStamp(Stamp.newBuilder().setClock(0).setOrigin("")).setValue(good))
        .addUpdates(VServiceUpdate.newBuilder().setName("db").setStamp(Stamp.newBuilder().setClock(Long.MAX_VALUE).setOrigin("node2")))
        .addUpdates(VServiceUpdate.newBuilder().setName("api").setStamp(Stamp.newBuilder().setClock(VServiceRegisters.MAX_CLOCK + 1).setOrigin("node2")))
        .addUpdates(VServiceUpdate.newBuilder().setName("top").setStamp(Stamp.newBuilder().setClock(VServiceRegisters.MAX_CLOCK).setOrigin("node2")))
        .addUpdates(VServiceUpdate.newBuilder().setName("odd").setStamp(Stamp.newBuilder().setClock(5).setOrigin("")))
        .build();
    List<String> invalid = new ArrayList<>();

    List<VServiceRegisters.Write> writes = PeerMessages.check(m, LIMITS, invalid);

    assertThat(writes).extracting(VServiceRegisters.Write::name).containsExactly("web", "top");
    assertThat(writes.getFirst().register().stamp()).isEqualTo(io.ax.core.cluster.Stamp.NONE);
    assertThat(invalid).containsExactly(
        "'db': clock " + Long.MAX_VALUE + " is outside 0.." + VServiceRegisters.MAX_CLOCK,
        "'api': clock " + (VServiceRegisters.MAX_CLOCK + 1) + " is outside 0.." + VServiceRegisters.MAX_CLOCK,
        "'odd': a node name that is not 1-253 printable characters");
  }

  @Test
  void snapshot_roundTripsThroughBytes() throws Exception {
    io.ax.core.model.App app = new io.ax.core.model.App(new AppId("a0000001"), "web", "node2", "c", Ipv4.parse("ip", "198.18.0.1"), "user", Labels.parse("l", "role=web"), 1);
    Snapshot s = PeerMessages.snapshot(NodeMeta.newBuilder().setName("node2").build(), 7, 9, List.of(app), List.of(), List.of());
    byte[] bytes = PeerMessage.newBuilder().setSnapshot(s).build().toByteArray();

    PeerMessages.CheckedSnapshot back = PeerMessages.check(PeerMessages.parse(bytes, 0, bytes.length, LIMITS).getSnapshot(), LIMITS);

    assertThat(back.apps()).containsExactly(app);
    assertThat(back.incarnation()).isEqualTo(7);
    assertThat(back.seq()).isEqualTo(9);
  }
}
