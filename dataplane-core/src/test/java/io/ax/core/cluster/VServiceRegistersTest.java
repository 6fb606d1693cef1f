package io.ax.core.cluster;

import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.core.cluster.VServiceRegisters.Register;
import io.ax.core.cluster.VServiceRegisters.Write;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.VService;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class VServiceRegistersTest {
  private static final VService WEB_A = vservice("web", "198.19.0.1", LbPolicy.RANDOM, List.of("80:8080"), "198.18.0.1");
  private static final VService WEB_B = vservice("web", "198.19.0.1", LbPolicy.ROUND_ROBIN, List.of("80:8080"), "198.18.0.2");

  private static Write write(String name, long clock, String origin, VService value) {
    return new Write(name, new Register(new Stamp(clock, origin), Optional.ofNullable(value)));
  }

  @Test
  void merge_newerStampWins_olderIsIgnored_equalClocksGoToTheGreaterOrigin() {
    VServiceRegisters r = new VServiceRegisters("node1", 100);

    assertThat(r.merge(List.of(write("web", 5, "node2", WEB_A)))).isTrue();
    assertThat(r.merge(List.of(write("web", 4, "node3", WEB_B)))).isFalse();
    assertThat(r.resolved()).containsEntry("web", WEB_A);
    assertThat(r.merge(List.of(write("web", 5, "node3", WEB_B)))).isTrue();
    assertThat(r.resolved()).containsEntry("web", WEB_B);
    assertThat(r.clock()).isEqualTo(5);
  }

  @Test
  void aDeletion_beatsOlderValues_whichCannotBringItBack() {
    VServiceRegisters r = new VServiceRegisters("node1", 100);
    r.merge(List.of(write("web", 3, "node2", WEB_A)));

    r.merge(List.of(write("web", 4, "node3", null)));
    r.merge(List.of(write("web", 3, "node2", WEB_A), write("web", 2, "node4", WEB_B)));

    assertThat(r.resolved()).isEmpty();
    assertThat(r.all()).extracting(Write::name).containsExactly("web");
  }

  @Test
  void absorbLocal_stampsCreatesChangesAndDeletes_aboveEveryClockSeen_andNothingWhenUnchanged() {
    VServiceRegisters r = new VServiceRegisters("node1", 100);
    r.merge(List.of(write("web", 7, "node2", WEB_A)));
    VService db = vservice("db", "198.19.0.2", LbPolicy.RANDOM, List.of("5432:5432"), "198.18.0.5");

    List<Write> writes = r.absorbLocal(new TreeMap<>(Map.of("web", WEB_B, "db", db)));

    assertThat(writes).extracting(Write::name).containsExactlyInAnyOrder("web", "db");
    assertThat(writes).allSatisfy(w -> {
      assertThat(w.register().stamp().origin()).isEqualTo("node1");
      assertThat(w.register().stamp().clock()).isGreaterThan(7);
    });
    assertThat(r.absorbLocal(new TreeMap<>(Map.of("web", WEB_B, "db", db)))).isEmpty();
    assertThat(r.absorbLocal(r.resolved())).isEmpty();

    List<Write> delete = r.absorbLocal(new TreeMap<>(Map.of("db", db)));
    assertThat(delete).singleElement().satisfies(w -> {
      assertThat(w.name()).isEqualTo("web");
      assertThat(w.register().value()).isEmpty();
    });
  }

  @Test
  void merge_sameWritesInAnyOrder_endInTheSameResolvedView() {
    List<Write> writes = new ArrayList<>();
    String[] names = {"a", "b", "c", "d"};
    Random random = new Random(42);
    for (int i = 0; i < 40; i++) {
      String name = names[random.nextInt(names.length)];
      VService value = random.nextInt(4) == 0 ? null : vservice(name, "198.19.1." + (1 + random.nextInt(3)), LbPolicy.RANDOM, List.of("80:80"), "198.18.0." + (1 + i));
      writes.add(write(name, 1 + random.nextInt(10), "node" + random.nextInt(3), value));
    }
    Map<String, VService> first = null;
    for (int round = 0; round < 200; round++) {
      List<Write> order = new ArrayList<>(writes);
      Collections.shuffle(order, new Random(round));
      VServiceRegisters r = new VServiceRegisters("observer", 100);
      for (Write w : order) {
        r.merge(List.of(w));
      }
      if (first == null) {
        first = r.resolved();
      }
      assertThat(r.resolved()).as("order " + round).isEqualTo(first);
    }
  }

  @Test
  void twoValuesUnderOneStamp_fromABrokenPeer_settleTheSameWayInEitherOrder() {
    VServiceRegisters one = new VServiceRegisters("node1", 100);
    VServiceRegisters two = new VServiceRegisters("node1", 100);

    one.merge(List.of(write("web", 5, "node2", WEB_A)));
    one.merge(List.of(write("web", 5, "node2", WEB_B)));
    two.merge(List.of(write("web", 5, "node2", WEB_B)));
    two.merge(List.of(write("web", 5, "node2", WEB_A)));

    assertThat(one.resolved()).isEqualTo(two.resolved()).hasSize(1);
  }

  @Test
  void twoNamesOnOneVipPort_theLaterWriteServesIt_andTheOtherReturnsWhenItIsDeleted() {
    VServiceRegisters r = new VServiceRegisters("node1", 100);
    VService api = vservice("api", "198.19.0.1", LbPolicy.RANDOM, List.of("80:8080"), "198.18.0.9");

    r.merge(List.of(write("web", 3, "node2", WEB_A), write("api", 4, "node3", api)));

    assertThat(r.resolved()).containsOnlyKeys("api");
    assertThat(r.heldBack()).containsExactly("web");

    r.merge(List.of(write("api", 5, "node3", null)));

    assertThat(r.resolved()).containsOnlyKeys("web");
    assertThat(r.heldBack()).isEmpty();
  }

  @Test
  void aVServiceFreedByALocalDeletion_isNotMistakenForALocalDeletion_beforeTheStoreHoldsIt() {
    VServiceRegisters r = new VServiceRegisters("node1", 100);
    VService api = vservice("api", "198.19.0.1", LbPolicy.RANDOM, List.of("80:8080"), "198.18.0.9");
    r.merge(List.of(write("web", 3, "node2", WEB_A), write("api", 4, "node3", api)));
    r.storeHolds(r.resolved());
    assertThat(r.storeBehind()).isFalse();

    // A user deletes api here: web, held back until now, is resolved but not yet in the store.
    r.absorbLocal(new TreeMap<>());
    assertThat(r.resolved()).containsOnlyKeys("web");
    assertThat(r.storeBehind()).isTrue();

    // Another local write comes before the cluster commits web: it must not delete web.
    VService db = vservice("db", "198.19.0.2", LbPolicy.RANDOM, List.of("5432:5432"), "198.18.0.5");
    List<Write> writes = r.absorbLocal(new TreeMap<>(Map.of("db", db)));

    assertThat(writes).extracting(Write::name).containsExactly("db");
    assertThat(r.resolved()).containsOnlyKeys("web", "db");
  }

  @Test
  void rollBack_forgetsWhatFollowedTheMemento_andItsVersionStillGrows() {
    VServiceRegisters r = new VServiceRegisters("node1", 100);
    r.merge(List.of(write("web", 3, "node2", WEB_A)));
    r.storeHolds(r.resolved());
    VServiceRegisters.Memento m = r.memento();
    long version = r.version();

    r.merge(List.of(write("web", 9, "node2", null), write("db", 8, "node3", WEB_B)));
    r.storeHolds(r.resolved());
    r.rollBack(m);

    assertThat(r.resolved()).containsOnlyKeys("web");
    assertThat(r.all()).extracting(Write::name).containsExactly("web");
    assertThat(r.clock()).isEqualTo(3);
    assertThat(r.version()).isGreaterThan(version);
    // The store holds web as before: nothing here is a local write.
    assertThat(r.absorbLocal(new TreeMap<>(Map.of("web", WEB_A)))).isEmpty();
  }

  @Test
  void restore_keepsSavedStampsAndDeletions_andAStoredVServiceWithoutAStampLosesToAnyWrite() {
    VServiceRegisters r = new VServiceRegisters("node1", 100);
    VService db = vservice("db", "198.19.0.2", LbPolicy.RANDOM, List.of("5432:5432"), "198.18.0.5");

    r.restore(new TreeMap<>(Map.of("web", WEB_A, "db", db)), new StampFile.Loaded(9, Map.of("web", new Stamp(9, "node1")), Map.of("old", new Stamp(8, "node2"))));

    assertThat(r.clock()).isEqualTo(9);
    assertThat(r.merge(List.of(write("web", 8, "node2", WEB_B)))).as("older than the saved stamp").isFalse();
    assertThat(r.merge(List.of(write("db", 1, "node2", null)))).as("db had no stamp").isTrue();
    assertThat(r.merge(List.of(write("old", 7, "node3", db)))).as("older than the saved deletion").isFalse();
    assertThat(r.resolved()).containsOnlyKeys("web");
  }

  @Test
  void tombstonesBeyondTheLimit_oldestGoFirst() {
    VServiceRegisters r = new VServiceRegisters("node1", 2);

    r.merge(List.of(write("a", 1, "n", null), write("b", 2, "n", null), write("c", 3, "n", null)));

    assertThat(r.all()).extracting(Write::name).containsExactly("b", "c");
  }
}
