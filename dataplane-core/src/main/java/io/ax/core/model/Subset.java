package io.ax.core.model;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.LbPolicy;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One weighted way out of a vservice, such as a VirtualService's subset {@code v1} at 80%: each
 * connection first picks a subset by weight (smooth weighted round robin), then a backend of the
 * subset by the subset's own policy. Immutable.
 *
 * @param name unique within its vservice: letters, digits, '-', '_' and '.', like Istio's subset
 *     names ({@code v1}, {@code canary_2})
 * @param weight the subset's share of connections relative to its siblings, 1 to
 *     {@link #MAX_WEIGHT}
 * @param resilience the subset's own connect timeout, connection limit and outlier detection
 *     (an Istio subset is a cluster of its own)
 */
public record Subset(String name, int weight, LbPolicy policy, List<Backend> backends, Resilience resilience) {
  // Istio takes subset names from DestinationRules, where they are labels-like names.
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");
  /** Envoy's weighted_clusters weights are uint32; a million keeps sums of 64 subsets small. */
  public static final int MAX_WEIGHT = 1_000_000;

  public Subset {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(policy, "policy");
    if (!NAME.matcher(name).matches()) {
      throw new InvalidFieldException("name", "'" + name + "' is not a valid subset name (expected 1-63 letters, digits, '-', '_' and '.')");
    }
    if (weight < 1 || weight > MAX_WEIGHT) {
      throw new InvalidFieldException("weight", "subset " + name + ": weight " + weight + " is outside 1-" + MAX_WEIGHT);
    }
    backends = List.copyOf(backends);
    Objects.requireNonNull(resilience, "resilience");
  }

  /** A subset that asks nothing of connects beyond balancing. */
  public Subset(String name, int weight, LbPolicy policy, List<Backend> backends) {
    this(name, weight, policy, backends, Resilience.NONE);
  }
}
