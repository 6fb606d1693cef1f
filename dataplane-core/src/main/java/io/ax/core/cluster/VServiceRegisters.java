package io.ax.core.cluster;

import io.ax.core.model.PortMapping;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import io.ax.bridge.net.Inet4Endpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The cluster's vservices as last-writer-wins registers: each name holds a value (or a
 * tombstone for a deletion) and the {@link Stamp} of the write that set it. Every node merges
 * every write it hears of by the same rule, so all end with the same registers whatever order
 * the writes arrived in, across partitions too.
 *
 * <p>The store's vservices are {@link #resolved()}: the live registers, except that when two
 * names claim one vIP:vport (written concurrently on two sides of a partition; one node's store
 * refuses that) the one with the higher stamp serves it and the other is held back until it no
 * longer conflicts. The rule only reads the registers, so every node holds back the same one.
 *
 * <p>Local writes reach the registers through {@link #absorbLocal}: whatever the store holds that
 * differs from what it held when last seen ({@link #storeHolds}) was written on this node, and
 * gets a new stamp. That is not the resolved view: a vservice freed from a conflict is resolved
 * before the store holds it, and must not look like a local deletion meanwhile. Not thread safe:
 * the cluster calls it under its own lock.
 */
final class VServiceRegisters {
  /** One register: a value, or empty for a deletion. */
  record Register(Stamp stamp, Optional<VService> value) {
    Register {
      Objects.requireNonNull(stamp, "stamp");
      Objects.requireNonNull(value, "value");
    }
  }

  /** One write, as sent to peers. */
  record Write(String name, Register register) {}

  /**
   * The highest clock a peer's write may carry. Real clocks grow by one a write, so this is out of
   * reach (a million writes a second for nine years); without it a broken or hostile peer could
   * send the largest long and leave no clock for the next write.
   */
  static final long MAX_CLOCK = 1L << 48;

  private final String self;
  private final int maxTombstones;
  private SortedMap<String, Register> registers = new TreeMap<>();
  private long clock;
  private SortedMap<String, VService> resolved = Collections.emptySortedMap();
  /** The vservices the store held when last seen; local writes are the differences from it. */
  private Map<String, VService> known = Collections.emptySortedMap();
  /** Grows on every change of the registers, so that saves can tell newer from older. */
  private long version;

  /** The registers at one moment, to go back to when the store could not save what followed. */
  record Memento(SortedMap<String, Register> registers, long clock, SortedMap<String, VService> resolved, Map<String, VService> known, long version) {}

  /**
   * @param self this node's name, the origin of its writes
   * @param maxTombstones deletions remembered; beyond it the oldest are forgotten (a copy of a
   *     forgotten deletion held by a node that was away could then come back)
   */
  VServiceRegisters(String self, int maxTombstones) {
    this.self = Objects.requireNonNull(self, "self");
    this.maxTombstones = maxTombstones;
  }

  /**
   * Starts from what this node saved: its store's vservices with the stamps saved beside them,
   * and its saved deletions. A vservice without a saved stamp gets {@link Stamp#NONE}: any write
   * made elsewhere wins over it.
   */
  void restore(Map<String, VService> stored, StampFile.Loaded saved) {
    registers.clear();
    clock = saved.clock();
    saved.deleted().forEach((name, stamp) -> {
      if (!stored.containsKey(name)) {
        registers.put(name, new Register(stamp, Optional.empty()));
      }
    });
    stored.forEach((name, vs) -> registers.put(name, new Register(saved.live().getOrDefault(name, Stamp.NONE), Optional.of(vs))));
    registers.values().forEach(r -> clock = Math.max(clock, r.stamp().clock()));
    resolved = resolve();
    known = stored;
    version++;
  }

  /** Records that the store now holds {@code vservices} (the cluster committed them). */
  void storeHolds(Map<String, VService> vservices) {
    known = vservices;
  }

  Memento memento() {
    return new Memento(new TreeMap<>(registers), clock, resolved, known, version);
  }

  /** Goes back to a memento; the version still grows, so a save of the abandoned state loses. */
  void rollBack(Memento m) {
    registers = new TreeMap<>(m.registers());
    clock = m.clock();
    resolved = m.resolved();
    known = m.known();
    version++;
  }

  /**
   * Stamps what the store holds that the registers do not know: writes made on this node since
   * the last call. Returns them, to be sent to the peers.
   */
  List<Write> absorbLocal(Map<String, VService> store) {
    if (store == known) {
      return List.of();
    }
    List<Write> writes = new ArrayList<>();
    for (Map.Entry<String, VService> e : store.entrySet()) {
      if (!e.getValue().equals(known.get(e.getKey()))) {
        writes.add(write(e.getKey(), Optional.of(e.getValue())));
      }
    }
    for (String name : known.keySet()) {
      if (!store.containsKey(name)) {
        writes.add(write(name, Optional.empty()));
      }
    }
    known = store;
    if (!writes.isEmpty()) {
      trimTombstones();
      resolved = resolve();
      version++;
    }
    return writes;
  }

  /** Whether the store holds other vservices than the resolved view (a conflict was settled). */
  boolean storeBehind() {
    return !known.equals(resolved);
  }

  private Write write(String name, Optional<VService> value) {
    // Local clocks start below MAX_CLOCK and grow by one a write: this cannot overflow in practice.
    clock = Math.addExact(clock, 1);
    Register r = new Register(new Stamp(clock, self), value);
    registers.put(name, r);
    return new Write(name, r);
  }

  /**
   * Merges writes heard from peers; a write older than the register's is ignored.
   *
   * @return whether any register changed
   */
  boolean merge(List<Write> writes) {
    boolean changed = false;
    for (Write w : writes) {
      clock = Math.max(clock, w.register().stamp().clock());
      Register mine = registers.get(w.name());
      if (mine == null || wins(w.register(), mine)) {
        registers.put(w.name(), w.register());
        changed = true;
      }
    }
    if (changed) {
      trimTombstones();
      resolved = resolve();
      version++;
    }
    return changed;
  }

  /**
   * Whether {@code incoming} replaces {@code mine}: the higher stamp. Two different values under
   * one stamp cannot come from correct nodes (a node never reuses a clock), but a broken or
   * hostile one could send them; the tie then goes the same way on every node, by the values'
   * text (a deletion below any value), so the registers still converge.
   */
  private static boolean wins(Register incoming, Register mine) {
    int c = incoming.stamp().compareTo(mine.stamp());
    if (c != 0) {
      return c > 0;
    }
    return tieKey(incoming).compareTo(tieKey(mine)) > 0;
  }

  private static String tieKey(Register r) {
    return r.value().map(VService::toString).orElse("");
  }

  /** The vservices the store should hold: live registers, minus those held back by a conflict. */
  SortedMap<String, VService> resolved() {
    return resolved;
  }

  /** Every register, tombstones included, to send to peers that joined. */
  List<Write> all() {
    List<Write> all = new ArrayList<>(registers.size());
    registers.forEach((name, r) -> all.add(new Write(name, r)));
    return all;
  }

  long clock() {
    return clock;
  }

  long version() {
    return version;
  }

  /** Names held back because a vservice with a higher stamp serves one of their vIP:vports. */
  List<String> heldBack() {
    List<String> held = new ArrayList<>();
    registers.forEach((name, r) -> {
      if (r.value().isPresent() && !resolved.containsKey(name)) {
        held.add(name);
      }
    });
    return held;
  }

  private SortedMap<String, VService> resolve() {
    // Highest stamp first: each vIP:vport goes to the first live register that claims it.
    List<Map.Entry<String, Register>> live = new ArrayList<>();
    registers.entrySet().stream().filter(e -> e.getValue().value().isPresent()).forEach(live::add);
    live.sort((a, b) -> b.getValue().stamp().compareTo(a.getValue().stamp()));
    Map<Inet4Endpoint, String> claimed = new HashMap<>();
    SortedMap<String, VService> out = new TreeMap<>();
    for (Map.Entry<String, Register> e : live) {
      VService vs = e.getValue().value().orElseThrow();
      boolean free = true;
      for (PortMapping p : vs.ports()) {
        String other = claimed.get(Endpoints.of(vs.ip(), p.vport()));
        if (other != null && !other.equals(e.getKey())) {
          free = false;
          break;
        }
      }
      if (free) {
        vs.ports().forEach(p -> claimed.put(Endpoints.of(vs.ip(), p.vport()), e.getKey()));
        out.put(e.getKey(), vs);
      }
    }
    return Collections.unmodifiableSortedMap(out);
  }

  private void trimTombstones() {
    TreeSet<Map.Entry<String, Register>> tombstones = new TreeSet<>((a, b) -> {
      int c = a.getValue().stamp().compareTo(b.getValue().stamp());
      return c != 0 ? c : a.getKey().compareTo(b.getKey());
    });
    registers.entrySet().stream().filter(e -> e.getValue().value().isEmpty()).forEach(tombstones::add);
    while (tombstones.size() > maxTombstones) {
      registers.remove(tombstones.pollFirst().getKey());
    }
  }
}
