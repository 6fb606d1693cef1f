package io.ax.core.state;

import io.ax.core.model.PortMapping;
import io.ax.core.model.VService;
import io.ax.core.net.HostPort;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The reconcile of one owner's vservices to a desired set, as a pure function of the current
 * vservices: which are created, updated, deleted, unchanged, and which desired ones are refused
 * because they clash with another owner's (or a user's) name or vIP:vport, or with one listed
 * before them in the same set. {@link DataplaneStore#applyVServices} commits the result.
 *
 * <p>A desired vservice that is refused, or that the caller found invalid (its name is in
 * {@code invalidNames}), keeps the owner's current vservice of that name if there is one: a bad
 * update never deletes the last good value (the xDS way: a NACKed resource keeps its last good
 * value).
 */
public final class VServiceApply {
  /** A desired vservice left out, with a one-line reason naming the clash. */
  public record Rejected(String name, String reason) {
    public Rejected {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * What an apply did.
   *
   * @param vservices the vservices after it; the same map (identity) when nothing changed
   */
  public record Result(int created, int updated, int deleted, int unchanged, List<Rejected> rejected, Map<String, VService> vservices) {
    public Result {
      rejected = List.copyOf(rejected);
      Objects.requireNonNull(vservices, "vservices");
    }

    public boolean changed() {
      return created + updated + deleted > 0;
    }
  }

  private VServiceApply() {}

  /**
   * @param current every vservice now, by name
   * @param owner not empty; every desired vservice already carries it
   * @param desired the owner's whole set, valid ones, in the caller's order (the first of two
   *     that clash wins)
   * @param invalidNames names of desired vservices the caller refused as invalid
   */
  public static Result reconcile(Map<String, VService> current, String owner, List<VService> desired, Set<String> invalidNames) {
    Objects.requireNonNull(current, "current");
    if (Objects.requireNonNull(owner, "owner").isEmpty()) {
      throw new IllegalArgumentException("owner must not be empty");
    }
    // Frontends held by others (other owners, users), and the owner's current ones by name.
    Map<HostPort, VService> taken = new HashMap<>();
    for (VService vs : current.values()) {
      if (!vs.owner().equals(owner)) {
        vs.ports().forEach(p -> taken.put(new HostPort(vs.ip(), p.vport()), vs));
      }
    }
    List<Rejected> rejected = new ArrayList<>();
    Set<String> kept = new HashSet<>();
    for (String invalid : invalidNames) {
      VService old = current.get(invalid);
      if (old != null && old.owner().equals(owner)) {
        kept.add(invalid);
      }
    }
    // Kept vservices hold their frontends against the new set.
    for (String name : kept) {
      VService vs = current.get(name);
      vs.ports().forEach(p -> taken.put(new HostPort(vs.ip(), p.vport()), vs));
    }
    Map<String, VService> accepted = new HashMap<>();
    for (VService vs : desired) {
      if (!vs.owner().equals(owner)) {
        throw new IllegalArgumentException("vservice " + vs.name() + " has owner '" + vs.owner() + "', not '" + owner + "'");
      }
      String clash = clash(vs, owner, current, accepted, kept, taken);
      if (clash != null) {
        rejected.add(new Rejected(vs.name(), clash));
        VService old = current.get(vs.name());
        if (old != null && old.owner().equals(owner) && !accepted.containsKey(vs.name())) {
          kept.add(vs.name());
        }
        continue;
      }
      accepted.put(vs.name(), vs);
      vs.ports().forEach(p -> taken.put(new HostPort(vs.ip(), p.vport()), vs));
    }
    int created = 0;
    int updated = 0;
    int unchanged = 0;
    List<VService> puts = new ArrayList<>();
    for (VService vs : accepted.values()) {
      VService old = current.get(vs.name());
      if (old == null) {
        created++;
        puts.add(vs);
      } else if (old == vs || old.equals(vs)) { // the same instance when Apply reused it from its memo
        unchanged++;
      } else {
        updated++;
        puts.add(vs);
      }
    }
    List<String> deletes = new ArrayList<>();
    for (VService vs : current.values()) {
      if (vs.owner().equals(owner) && !accepted.containsKey(vs.name()) && !kept.contains(vs.name())) {
        deletes.add(vs.name());
      }
    }
    if (puts.isEmpty() && deletes.isEmpty()) {
      return new Result(0, 0, 0, unchanged, rejected, current);
    }
    SortedMap<String, VService> next = new TreeMap<>(current);
    deletes.forEach(next::remove);
    puts.forEach(vs -> next.put(vs.name(), vs));
    return new Result(created, updated, deletes.size(), unchanged, rejected, Collections.unmodifiableSortedMap(next));
  }

  /** Why {@code vs} cannot be applied, or null when it can. */
  private static String clash(
      VService vs, String owner, Map<String, VService> current, Map<String, VService> accepted, Set<String> kept, Map<HostPort, VService> taken) {
    if (accepted.containsKey(vs.name()) || kept.contains(vs.name())) {
      return "name: '" + vs.name() + "' is listed more than once in this apply";
    }
    VService holder = current.get(vs.name());
    if (holder != null && !holder.owner().equals(owner)) {
      return "name: '" + vs.name() + "' is held by " + describeOwner(holder.owner());
    }
    for (PortMapping p : vs.ports()) {
      VService other = taken.get(new HostPort(vs.ip(), p.vport()));
      if (other != null) {
        String whose = !other.owner().equals(owner)
            ? "of " + describeOwner(other.owner())
            : kept.contains(other.name()) ? "(its last good value, kept)" : "listed before it in this apply";
        return "ports: " + vs.ip() + ":" + p.vport() + " is already served by vservice '" + other.name() + "' " + whose;
      }
    }
    return null;
  }

  private static String describeOwner(String owner) {
    return owner.isEmpty() ? "a user (made with ax create or REST)" : "owner '" + owner + "'";
  }
}
