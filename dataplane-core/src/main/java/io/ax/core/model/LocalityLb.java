package io.ax.core.model;

import io.ax.core.field.InvalidFieldException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Istio's {@code localityLbSetting} as the daemon applies it, relative to its own node's
 * {@code --locality} (each node orders the same backends for its own clients, as istiod orders
 * endpoints for each proxy). Immutable.
 */
public sealed interface LocalityLb {
  /** Every locality alike. */
  LocalityLb OFF = new Off();

  /** Every locality alike. */
  record Off() implements LocalityLb {}

  /**
   * Backends in the node's own region, zone and subzone first, then the same zone, then the
   * region, then (with rules) the region a rule names for the node's region, then the rest; a
   * connect fails over from one to the next, and ejected backends come after all of them.
   */
  record Failover(List<FailoverRule> rules) implements LocalityLb {
    public Failover {
      rules = List.copyOf(rules);
    }
  }

  /** Istio's {@code failover} entry: from the node's region {@code from} to region {@code to}. */
  record FailoverRule(String from, String to) {
    public FailoverRule {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }
  }

  /**
   * For a node whose locality matches a rule's {@code from} (the first that matches), each
   * connection picks a {@code to} pattern by its weight (smooth weighted round robin), then a
   * backend of a locality matching it; the other patterns' backends follow for failover, and
   * backends that match none come last.
   */
  record Distribute(List<DistributeRule> rules) implements LocalityLb {
    public Distribute {
      rules = List.copyOf(rules);
    }
  }

  /**
   * Istio's {@code distribute} entry: locality patterns with their weights, the most specific
   * first (a backend counts for the first it matches; Istio's map has no order).
   */
  record DistributeRule(String from, Map<String, Integer> to) {
    public DistributeRule {
      Objects.requireNonNull(from, "from");
      Map<String, Integer> given = to;
      LinkedHashMap<String, Integer> sorted = new LinkedHashMap<>();
      given.keySet().stream().sorted(java.util.Comparator.comparingInt(DistributeRule::specificity).reversed().thenComparing(k -> k))
          .forEach(k -> sorted.put(k, given.get(k)));
      to = java.util.Collections.unmodifiableMap(sorted);
      for (Map.Entry<String, Integer> e : to.entrySet()) {
        if (e.getValue() < 1 || e.getValue() > Subset.MAX_WEIGHT) {
          throw new InvalidFieldException("distribute.to", "weight " + e.getValue() + " of '" + e.getKey() + "' is outside 1-" + Subset.MAX_WEIGHT);
        }
      }
    }

    /** Parts before the first {@code *}: {@code r/z/*} is 2, {@code *} is 0. */
    static int specificity(String pattern) {
      int n = 0;
      for (String part : pattern.split("/")) {
        if (part.equals("*")) {
          break;
        }
        n++;
      }
      return n;
    }
  }
}
