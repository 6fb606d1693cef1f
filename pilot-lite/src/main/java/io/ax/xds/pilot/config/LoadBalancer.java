package io.ax.xds.pilot.config;

import java.util.Objects;
import java.util.OptionalLong;

/** {@code trafficPolicy.loadBalancer}: a simple policy or a consistent hash. */
public sealed interface LoadBalancer {
  /** {@code simple}; Istio's old name LEAST_CONN is read as LEAST_REQUEST. */
  record Simple(SimpleLb policy) implements LoadBalancer {
    public Simple {
      Objects.requireNonNull(policy, "policy");
    }
  }

  /**
   * {@code consistentHash}: MAGLEV when its {@code maglev} field is set, RING_HASH otherwise (as
   * istiod decides). The hash key (header, cookie, source IP...) is an L7 matter left out here.
   */
  record ConsistentHash(HashAlgorithm algorithm, OptionalLong minimumRingSize) implements LoadBalancer {
    public ConsistentHash {
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(minimumRingSize, "minimumRingSize");
    }
  }

  enum SimpleLb {
    /** Istio's UNSPECIFIED: the mesh default. */
    UNSPECIFIED,
    ROUND_ROBIN,
    RANDOM,
    LEAST_REQUEST,
    /** Connect to the address the caller asked for: an ORIGINAL_DST cluster. */
    PASSTHROUGH
  }

  enum HashAlgorithm {
    RING_HASH,
    MAGLEV
  }
}
