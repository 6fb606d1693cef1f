package io.ax.xds.resource;

/**
 * A cluster's load balancing policy, from {@code lb_policy} or, when Envoy's newer
 * {@code load_balancing_policy} is used, from its first policy whose type the agent knows.
 * {@link #ROUND_ROBIN} is enum value 0, so JSON leaves it out.
 */
public enum LbPolicy {
  ROUND_ROBIN,
  LEAST_REQUEST,
  RING_HASH,
  RANDOM,
  MAGLEV,
  /** The cluster chooses (ORIGINAL_DST clusters). */
  CLUSTER_PROVIDED,
  /** A {@code load_balancing_policy} with no policy the agent knows (e.g. a custom extension). */
  OTHER
}
