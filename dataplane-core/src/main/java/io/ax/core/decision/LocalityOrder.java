package io.ax.core.decision;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.lb.Candidate;
import io.ax.core.lb.LbState;
import io.ax.core.model.Locality;
import io.ax.core.model.LocalityLb;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Splits a vservice's candidates into the groups a connect tries one after the other, by
 * locality relative to this node ({@link LocalityLb}); the connect decision then orders each
 * group by the vservice's balancer. Pure but for the smooth weighted choice of
 * {@link LocalityLb.Distribute}, whose memory is in the {@link LbState}.
 */
final class LocalityOrder {
  private LocalityOrder() {}

  /**
   * Candidates tried together, balanced among themselves under their own name (the balancers'
   * memory is per group, so that a round robin turns within each group).
   *
   * @param name empty for the one group of a vservice without locality preferences
   */
  record Group(String name, List<Candidate<Inet4Endpoint>> candidates) {
    Group {
      candidates = List.copyOf(candidates);
    }
  }

  /**
   * The groups, best first; one group (all candidates) when the setting, the node's locality or
   * the candidates leave nothing to choose.
   *
   * @param localityOf each candidate address's locality
   * @param key the vservice (or {@code name/subset}) whose distribute choice this is
   */
  static List<Group> groups(
      List<Candidate<Inet4Endpoint>> candidates, Map<Inet4Endpoint, Locality> localityOf, Locality node, LocalityLb setting, LbState lb, String key) {
    if (node.isNone()) {
      return List.of(new Group("", candidates)); // a node that does not know where it is prefers nothing
    }
    return switch (setting) {
      case LocalityLb.Off off -> List.of(new Group("", candidates));
      case LocalityLb.Failover f -> failover(candidates, localityOf, node, f);
      case LocalityLb.Distribute d -> distribute(candidates, localityOf, node, d, lb, key);
    };
  }

  /**
   * istiod's priorities ({@code applyLocalityFailover}): 0 for the node's region, zone and
   * subzone, 1 for its region and zone, 2 for its region, then 3 for a region that a failover
   * rule names for the node's region and 4 for the rest (3 for the rest when no rule applies).
   */
  static int priority(Locality backend, Locality node, LocalityLb.Failover f) {
    if (!backend.region().isEmpty() && backend.region().equals(node.region())) {
      if (backend.zone().equals(node.zone())) {
        return backend.subzone().equals(node.subzone()) ? 0 : 1;
      }
      return 2;
    }
    boolean ruled = false;
    for (LocalityLb.FailoverRule r : f.rules()) {
      if (r.from().equals(node.region())) {
        ruled = true;
        if (r.to().equals(backend.region())) {
          return 3;
        }
      }
    }
    return ruled ? 4 : 3;
  }

  private static List<Group> failover(
      List<Candidate<Inet4Endpoint>> candidates, Map<Inet4Endpoint, Locality> localityOf, Locality node, LocalityLb.Failover f) {
    TreeMap<Integer, List<Candidate<Inet4Endpoint>>> byPriority = new TreeMap<>();
    for (Candidate<Inet4Endpoint> c : candidates) {
      int p = priority(localityOf.getOrDefault(c.item(), Locality.NONE), node, f);
      byPriority.computeIfAbsent(p, k -> new ArrayList<>()).add(c);
    }
    List<Group> out = new ArrayList<>();
    byPriority.forEach((p, g) -> out.add(new Group("priority" + p, g)));
    return out;
  }

  private static List<Group> distribute(
      List<Candidate<Inet4Endpoint>> candidates, Map<Inet4Endpoint, Locality> localityOf, Locality node, LocalityLb.Distribute d, LbState lb, String key) {
    LocalityLb.DistributeRule rule = d.rules().stream().filter(r -> node.matches(r.from())).findFirst().orElse(null);
    if (rule == null) {
      return List.of(new Group("", candidates));
    }
    List<String> patterns = new ArrayList<>(rule.to().keySet());
    List<List<Candidate<Inet4Endpoint>>> byPattern = new ArrayList<>();
    patterns.forEach(p -> byPattern.add(new ArrayList<>()));
    List<Candidate<Inet4Endpoint>> unmatched = new ArrayList<>();
    for (Candidate<Inet4Endpoint> c : candidates) {
      Locality l = localityOf.getOrDefault(c.item(), Locality.NONE);
      int i = 0;
      while (i < patterns.size() && !l.matches(patterns.get(i))) {
        i++;
      }
      (i < patterns.size() ? byPattern.get(i) : unmatched).add(c);
    }
    // Only patterns that have a backend take part, as Envoy's locality weights only count
    // localities with endpoints.
    List<Integer> present = new ArrayList<>();
    for (int i = 0; i < patterns.size(); i++) {
      if (!byPattern.get(i).isEmpty()) {
        present.add(i);
      }
    }
    if (present.isEmpty()) {
      return List.of(new Group("", candidates));
    }
    int[] weights = present.stream().mapToInt(i -> rule.to().get(patterns.get(i))).toArray();
    int chosen = present.get(lb.smoothWeighted(key + "#locality").next(present.stream().map(patterns::get).toList(), weights));
    List<Group> out = new ArrayList<>();
    out.add(new Group(patterns.get(chosen), byPattern.get(chosen)));
    for (int i : present) {
      if (i != chosen) {
        out.add(new Group(patterns.get(i), byPattern.get(i)));
      }
    }
    if (!unmatched.isEmpty()) {
      out.add(new Group("unmatched", unmatched));
    }
    return out;
  }
}
