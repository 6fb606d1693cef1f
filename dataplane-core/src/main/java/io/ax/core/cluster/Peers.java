package io.ax.core.cluster;

import io.ax.cluster.v1.NodeMeta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.jgroups.Address;

/**
 * What this node knows of each peer that owns entries: its JGroups address, its incarnation and
 * the sequence number of the last change applied, and what it says of itself. It decides what a
 * peer's snapshot or delta does to the table: owners are authoritative, a newer incarnation
 * replaces an older one, a delta applies only right after the one before it. The cluster's
 * receiving thread changes it; listings read it from other threads, hence the locking.
 */
final class Peers {
  /** One owner as last heard. */
  record Peer(String name, Address address, long incarnation, long seq, NodeMeta meta) {}

  /** What to do with a delta. */
  enum DeltaVerdict {
    /** The next one: apply it. */
    APPLY,
    /** Already applied (or older than the snapshot that covered it): drop it. */
    OLD,
    /** One or more before it are missing, or the owner is unknown: ask the owner for a snapshot. */
    GAP
  }

  /**
   * Deltas held per owner because they came before the one they follow: a multicast delta can
   * overtake the unicast snapshot sent to a joiner. Applying them once their turn comes saves a
   * snapshot request for each (under churn, one after every snapshot).
   */
  static final int MAX_HELD_DELTAS = 64;

  /** Nodes that left, newest last, kept for {@code ax get nodes} until they return. */
  private final LinkedHashMap<String, NodeMeta> departed = new LinkedHashMap<>();
  private final int maxDeparted;
  private final Map<String, Peer> byName = new HashMap<>();
  private final Map<String, NavigableMap<Long, PeerMessages.CheckedDelta>> held = new HashMap<>();
  /** How many entries each owner has in the table, to hold it to its limit across deltas. */
  private final Map<String, Integer> entries = new HashMap<>();

  Peers(int maxDeparted) {
    this.maxDeparted = maxDeparted;
  }

  /**
   * Whether a snapshot replaces what is known of its owner: it does unless it is older (an
   * earlier incarnation, or an earlier sequence number of the same one). Records it when it does.
   */
  synchronized boolean acceptSnapshot(Address from, NodeMeta meta, long incarnation, long seq) {
    Peer known = byName.get(meta.getName());
    if (known != null && (incarnation < known.incarnation() || (incarnation == known.incarnation() && seq < known.seq()))) {
      return false;
    }
    byName.put(meta.getName(), new Peer(meta.getName(), from, incarnation, seq, meta));
    departed.remove(meta.getName());
    if (known != null && known.incarnation() != incarnation) {
      held.remove(meta.getName()); // a restarted owner numbers its deltas anew
    }
    return true;
  }

  /**
   * Whether {@code name} belongs to a live member other than {@code from}: a second member that
   * speaks for it (a copied --node-name, or an impostor) is not listened to while the first lives.
   */
  synchronized boolean nameTakenByAnother(String name, Address from, List<Address> members) {
    Peer known = byName.get(name);
    return known != null && !known.address().equals(from) && members.contains(known.address());
  }

  synchronized DeltaVerdict judgeDelta(String owner, long incarnation, long seq) {
    Peer known = byName.get(owner);
    if (known == null || incarnation > known.incarnation()) {
      return DeltaVerdict.GAP;
    }
    if (incarnation < known.incarnation() || seq <= known.seq()) {
      return DeltaVerdict.OLD;
    }
    return seq == known.seq() + 1 ? DeltaVerdict.APPLY : DeltaVerdict.GAP;
  }

  /**
   * Keeps a delta that came too early, unless the owner already has {@link #MAX_HELD_DELTAS}
   * waiting (then one is missing for good, and a snapshot is the way back).
   */
  synchronized void hold(PeerMessages.CheckedDelta d) {
    NavigableMap<Long, PeerMessages.CheckedDelta> mine = held.computeIfAbsent(d.node(), k -> new TreeMap<>());
    if (!mine.isEmpty() && mine.firstEntry().getValue().incarnation() != d.incarnation()) {
      mine.clear();
    }
    if (mine.size() < MAX_HELD_DELTAS) {
      mine.put(d.seq(), d);
    }
  }

  /** The held delta of {@code owner} that is next in line, if any; drops those already covered. */
  synchronized Optional<PeerMessages.CheckedDelta> nextHeld(String owner) {
    NavigableMap<Long, PeerMessages.CheckedDelta> mine = held.get(owner);
    while (mine != null && !mine.isEmpty()) {
      PeerMessages.CheckedDelta d = mine.firstEntry().getValue();
      switch (judgeDelta(owner, d.incarnation(), d.seq())) {
        case OLD -> mine.pollFirstEntry();
        case APPLY -> {
          mine.pollFirstEntry();
          return Optional.of(d);
        }
        case GAP -> {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  synchronized int entries(String owner) {
    return entries.getOrDefault(owner, 0);
  }

  synchronized void entries(String owner, int count) {
    entries.put(owner, count);
  }

  /**
   * Forgets how far the owner's changes were applied (its snapshot could not be saved): its next
   * delta is then a gap, and brings a snapshot.
   */
  synchronized void unsettle(String owner) {
    Peer p = byName.get(owner);
    if (p != null) {
      byName.put(owner, new Peer(p.name(), p.address(), p.incarnation(), -1, p.meta()));
    }
  }

  /** Records an applied delta. */
  synchronized void applied(String owner, long seq) {
    Peer p = byName.get(owner);
    byName.put(owner, new Peer(p.name(), p.address(), p.incarnation(), seq, p.meta()));
  }

  /**
   * The owners whose address is not among {@code members}: they left or were declared dead.
   * Forgets them (remembering them as departed) and returns their names. An owner that came back
   * at a new address before its old one was dropped is not returned: its snapshot already
   * replaced its old entries.
   */
  synchronized List<String> retainMembers(List<Address> members) {
    List<String> gone = new ArrayList<>();
    for (Peer p : List.copyOf(byName.values())) {
      if (!members.contains(p.address())) {
        gone.add(p.name());
        byName.remove(p.name());
        held.remove(p.name());
        entries.remove(p.name());
        departed.remove(p.name());
        departed.put(p.name(), p.meta());
        while (departed.size() > maxDeparted) {
          departed.remove(departed.keySet().iterator().next());
        }
      }
    }
    // Deltas held for an owner that never sent its snapshot and is no member any more.
    List<String> memberNames = members.stream().map(Object::toString).toList();
    held.keySet().removeIf(name -> !byName.containsKey(name) && !memberNames.contains(name));
    return gone;
  }

  synchronized Optional<Peer> peer(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The name of the owner at {@code address}, if it has sent a snapshot. */
  synchronized Optional<String> nameAt(Address address) {
    for (Peer p : byName.values()) {
      if (p.address().equals(address)) {
        return Optional.of(p.name());
      }
    }
    return Optional.empty();
  }

  synchronized List<Peer> live() {
    return List.copyOf(byName.values());
  }

  synchronized List<NodeMeta> departed() {
    return List.copyOf(departed.values());
  }

}
