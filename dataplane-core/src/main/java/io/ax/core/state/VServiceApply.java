package io.ax.core.state;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.model.PortMapping;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 *
 * <p>Kept vservices hold their vIP:vports before anything new is placed, so the result never has
 * two vservices on one vIP:vport: a desired vservice on a kept one's frontend is refused, even
 * when it is listed first.
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
    Objects.requireNonNull(desired, "desired");
    Objects.requireNonNull(invalidNames, "invalidNames");
    if (Objects.requireNonNull(owner, "owner").isEmpty()) {
      throw new IllegalArgumentException("owner must not be empty");
    }
    Screening screening = screen(current, owner, desired, invalidNames);
    Map<String, VService> accepted = place(current, owner, desired, screening);
    return diff(current, owner, accepted, screening.kept(), screening.rejected(desired));
  }

  /**
   * Step 1's outcome, and step 2's working state: the reason each desired vservice (by position)
   * is refused, empty while it is not; the owner's current vservices that stay as they are; the
   * positions still to be placed. Mutable, confined to one {@link #reconcile} call.
   */
  private record Screening(List<Optional<String>> reasons, Set<String> kept, List<Integer> candidates) {
    List<Rejected> rejected(List<VService> desired) {
      List<Rejected> rejected = new ArrayList<>();
      for (int i = 0; i < reasons.size(); i++) {
        int at = i;
        reasons.get(i).ifPresent(reason -> rejected.add(new Rejected(desired.get(at).name(), reason)));
      }
      return rejected;
    }
  }

  /**
   * Step 1: what is refused whatever else the set holds (a repeated name, a clash with other
   * owners), and so which current vservices are kept.
   */
  private static Screening screen(Map<String, VService> current, String owner, List<VService> desired, Set<String> invalidNames) {
    Map<Inet4Endpoint, VService> others = frontendsOfOthers(current, owner);
    List<Optional<String>> reasons = new ArrayList<>(Collections.nCopies(desired.size(), Optional.empty()));
    Set<String> kept = new HashSet<>();
    for (String invalid : invalidNames) {
      if (isOwners(current.get(invalid), owner)) {
        kept.add(invalid);
      }
    }
    Set<String> seen = new HashSet<>(invalidNames);
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < desired.size(); i++) {
      VService vs = desired.get(i);
      if (!vs.owner().equals(owner)) {
        throw new IllegalArgumentException("vservice " + vs.name() + " has owner '" + vs.owner() + "', not '" + owner + "'");
      }
      if (!seen.add(vs.name())) {
        // The first of a name decides; a later one neither is applied nor keeps anything.
        reasons.set(i, Optional.of("name: '" + vs.name() + "' is listed more than once in this apply"));
        continue;
      }
      Optional<String> clash = clashWithOthers(vs, owner, current, others);
      reasons.set(i, clash);
      if (clash.isEmpty()) {
        candidates.add(i);
      } else if (isOwners(current.get(vs.name()), owner)) {
        kept.add(vs.name());
      }
    }
    return new Screening(reasons, kept, candidates);
  }

  /**
   * Step 2: kept vservices hold their frontends; the candidates are accepted in order, each
   * refused when a kept one or one before it serves its vIP:vport. A candidate refused here
   * keeps its current value too, whose frontend an earlier candidate may have taken: then place
   * again with it kept from the start. Kept only grows (bounded by the owner's current
   * vservices), so this ends; a set without such a clash is placed once.
   *
   * @return the accepted vservices by name; {@code screening}'s reasons and kept set are updated
   */
  private static Map<String, VService> place(Map<String, VService> current, String owner, List<VService> desired, Screening screening) {
    Set<String> kept = screening.kept();
    List<Optional<String>> reasons = screening.reasons();
    while (true) {
      Map<Inet4Endpoint, VService> taken = frontendsOfOthersAndKept(current, owner, kept);
      Map<String, VService> accepted = new HashMap<>();
      Set<String> keptNow = new HashSet<>();
      for (int i : screening.candidates()) {
        VService vs = desired.get(i);
        Optional<String> clash = clashWithSet(vs, owner, kept, taken);
        if (kept.contains(vs.name())) {
          // Refused in an earlier placement; say what it clashes with now if anything.
          if (clash.isPresent()) {
            reasons.set(i, clash);
          }
        } else if (clash.isPresent()) {
          reasons.set(i, clash);
          if (isOwners(current.get(vs.name()), owner)) {
            keptNow.add(vs.name());
          }
        } else {
          reasons.set(i, Optional.empty());
          accepted.put(vs.name(), vs);
          vs.ports().forEach(p -> taken.put(Endpoints.of(vs.ip(), p.vport()), vs));
        }
      }
      if (keptNow.isEmpty()) {
        return accepted;
      }
      kept.addAll(keptNow);
    }
  }

  /** The frontends of other owners' vservices, then of the owner's kept ones (which win a tie). */
  private static Map<Inet4Endpoint, VService> frontendsOfOthersAndKept(Map<String, VService> current, String owner, Set<String> kept) {
    Map<Inet4Endpoint, VService> taken = frontendsOfOthers(current, owner);
    for (String name : kept) {
      VService vs = current.get(name);
      vs.ports().forEach(p -> taken.put(Endpoints.of(vs.ip(), p.vport()), vs));
    }
    return taken;
  }

  /**
   * Frontends held by others (other owners, users). The owner's current ones are not taken: its
   * set may move a frontend from one name to another in one apply.
   */
  private static Map<Inet4Endpoint, VService> frontendsOfOthers(Map<String, VService> current, String owner) {
    Map<Inet4Endpoint, VService> others = new HashMap<>();
    for (VService vs : current.values()) {
      if (!vs.owner().equals(owner)) {
        vs.ports().forEach(p -> others.put(Endpoints.of(vs.ip(), p.vport()), vs));
      }
    }
    return others;
  }

  /** Step 3: the accepted set against the current one: what is created, updated, deleted, unchanged. */
  private static Result diff(Map<String, VService> current, String owner, Map<String, VService> accepted, Set<String> kept, List<Rejected> rejected) {
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

  private static boolean isOwners(VService vs, String owner) {
    return vs != null && vs.owner().equals(owner);
  }

  /** Why {@code vs} clashes with another owner's (or a user's) name or frontend, if it does. */
  private static Optional<String> clashWithOthers(VService vs, String owner, Map<String, VService> current, Map<Inet4Endpoint, VService> others) {
    VService holder = current.get(vs.name());
    if (holder != null && !holder.owner().equals(owner)) {
      return Optional.of("name: '" + vs.name() + "' is held by " + describeOwner(holder.owner()));
    }
    return clashWithSet(vs, owner, Set.of(), others);
  }

  /** Why a frontend of {@code vs} is already in {@code taken}, if one is. */
  private static Optional<String> clashWithSet(VService vs, String owner, Set<String> kept, Map<Inet4Endpoint, VService> taken) {
    for (PortMapping p : vs.ports()) {
      VService other = taken.get(Endpoints.of(vs.ip(), p.vport()));
      if (other != null && !other.name().equals(vs.name())) { // its own kept value is no clash
        String whose = !other.owner().equals(owner)
            ? "of " + describeOwner(other.owner())
            : kept.contains(other.name()) ? "(its last good value, kept)" : "listed before it in this apply";
        return Optional.of("ports: " + vs.ip() + ":" + p.vport() + " is already served by vservice '" + other.name() + "' " + whose);
      }
    }
    return Optional.empty();
  }

  private static String describeOwner(String owner) {
    return owner.isEmpty() ? "a user (made with ax create or REST)" : "owner '" + owner + "'";
  }
}
