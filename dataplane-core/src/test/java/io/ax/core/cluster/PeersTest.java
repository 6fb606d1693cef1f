package io.ax.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.cluster.v1.NodeMeta;
import io.ax.core.model.AppId;
import java.util.List;
import org.jgroups.Address;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

class PeersTest {
  private static NodeMeta meta(String name) {
    return NodeMeta.newBuilder().setName(name).build();
  }

  @Test
  void snapshots_olderIncarnationOrSeqAreRefused_newerReplace() {
    Peers peers = new Peers(10);
    Address a = UUID.randomUUID();

    assertThat(peers.acceptSnapshot(a, meta("n2"), 100, 5)).isTrue();
    assertThat(peers.acceptSnapshot(a, meta("n2"), 100, 4)).isFalse();
    assertThat(peers.acceptSnapshot(a, meta("n2"), 99, 50)).isFalse();
    assertThat(peers.acceptSnapshot(a, meta("n2"), 100, 5)).isTrue();
    assertThat(peers.acceptSnapshot(UUID.randomUUID(), meta("n2"), 200, 0)).as("a restarted node").isTrue();
  }

  @Test
  void deltas_applyOnlyRightAfterTheLastOne() {
    Peers peers = new Peers(10);
    Address a = UUID.randomUUID();

    assertThat(peers.judgeDelta("n2", 100, 1)).as("unknown owner").isEqualTo(Peers.DeltaVerdict.GAP);
    peers.acceptSnapshot(a, meta("n2"), 100, 5);
    assertThat(peers.judgeDelta("n2", 100, 5)).isEqualTo(Peers.DeltaVerdict.OLD);
    assertThat(peers.judgeDelta("n2", 100, 7)).isEqualTo(Peers.DeltaVerdict.GAP);
    assertThat(peers.judgeDelta("n2", 101, 1)).as("a newer incarnation").isEqualTo(Peers.DeltaVerdict.GAP);
    assertThat(peers.judgeDelta("n2", 99, 9)).as("an older incarnation").isEqualTo(Peers.DeltaVerdict.OLD);
    assertThat(peers.judgeDelta("n2", 100, 6)).isEqualTo(Peers.DeltaVerdict.APPLY);
    peers.applied("n2", 6);
    assertThat(peers.judgeDelta("n2", 100, 6)).isEqualTo(Peers.DeltaVerdict.OLD);
  }

  @Test
  void retainMembers_returnsOwnersThatLeft_remembersThemAsDeparted_untilTheyReturn() {
    Peers peers = new Peers(1);
    Address a = UUID.randomUUID();
    Address b = UUID.randomUUID();
    Address c = UUID.randomUUID();
    peers.acceptSnapshot(a, meta("n1"), 1, 0);
    peers.acceptSnapshot(b, meta("n2"), 1, 0);
    peers.acceptSnapshot(c, meta("n3"), 1, 0);

    assertThat(peers.retainMembers(List.of(a, c))).containsExactly("n2");
    assertThat(peers.departed()).extracting(NodeMeta::getName).containsExactly("n2");
    assertThat(peers.retainMembers(List.of(a))).containsExactly("n3");
    assertThat(peers.departed()).as("at most one remembered").extracting(NodeMeta::getName).containsExactly("n3");

    peers.acceptSnapshot(UUID.randomUUID(), meta("n3"), 2, 0);
    assertThat(peers.departed()).isEmpty();
  }

  @Test
  void aNameHeldByALiveMember_isTakenByNoOtherMember() {
    Peers peers = new Peers(10);
    Address owner = UUID.randomUUID();
    Address other = UUID.randomUUID();
    peers.acceptSnapshot(owner, meta("n2"), 1, 0);

    assertThat(peers.nameTakenByAnother("n2", other, List.of(owner, other))).isTrue();
    assertThat(peers.nameTakenByAnother("n2", owner, List.of(owner, other))).isFalse();
    assertThat(peers.nameTakenByAnother("n2", other, List.of(other))).as("the owner has left").isFalse();
  }

  private static PeerMessages.CheckedDelta delta(String node, long incarnation, long seq) {
    return new PeerMessages.CheckedDelta(node, incarnation, seq, List.of(), List.of(), List.of(), List.<AppId>of(), List.of(), List.of());
  }

  @Test
  void deltasThatOvertookTheSnapshot_areHeld_andComeOutInOrderOnceTheirTurnComes() {
    Peers peers = new Peers(10);
    Address a = UUID.randomUUID();
    peers.hold(delta("n2", 100, 7));
    peers.hold(delta("n2", 100, 6));
    peers.hold(delta("n2", 100, 9));

    assertThat(peers.nextHeld("n2")).as("no snapshot yet").isEmpty();
    peers.acceptSnapshot(a, meta("n2"), 100, 5);

    assertThat(peers.nextHeld("n2")).get().extracting(PeerMessages.CheckedDelta::seq).isEqualTo(6L);
    peers.applied("n2", 6);
    assertThat(peers.nextHeld("n2")).get().extracting(PeerMessages.CheckedDelta::seq).isEqualTo(7L);
    peers.applied("n2", 7);
    assertThat(peers.nextHeld("n2")).as("8 is missing").isEmpty();
  }

  @Test
  void heldDeltas_olderThanTheSnapshot_ofAnotherIncarnation_orBeyondTheLimit_areDropped() {
    Peers peers = new Peers(10);
    Address a = UUID.randomUUID();
    peers.hold(delta("n2", 100, 3));
    peers.hold(delta("n2", 100, 6));
    peers.acceptSnapshot(a, meta("n2"), 100, 5);
    assertThat(peers.nextHeld("n2")).get().extracting(PeerMessages.CheckedDelta::seq).isEqualTo(6L);

    peers.hold(delta("n2", 100, 8));
    peers.acceptSnapshot(a, meta("n2"), 200, 0); // restarted
    peers.hold(delta("n2", 200, 1));
    assertThat(peers.nextHeld("n2")).get().extracting(PeerMessages.CheckedDelta::seq).isEqualTo(1L);

    for (int i = 0; i < Peers.MAX_HELD_DELTAS + 10; i++) {
      peers.hold(delta("n3", 1, 2 + i));
    }
    peers.acceptSnapshot(UUID.randomUUID(), meta("n3"), 1, 1);
    int out = 0;
    for (var d = peers.nextHeld("n3"); d.isPresent(); d = peers.nextHeld("n3")) {
      peers.applied("n3", d.get().seq());
      out++;
    }
    assertThat(out).isEqualTo(Peers.MAX_HELD_DELTAS);
  }

  @Test
  void heldDeltas_ofANonMember_goWhenTheViewChanges() {
    Peers peers = new Peers(10);
    peers.hold(delta("n2", 100, 7));
    peers.retainMembers(List.of(UUID.randomUUID()));
    peers.acceptSnapshot(UUID.randomUUID(), meta("n2"), 100, 6);

    assertThat(peers.nextHeld("n2")).isEmpty();
  }
}
