package io.ax.xds.translate;

import io.ax.admin.v1.LbType;
import io.ax.xds.resource.LbPolicy;
import java.util.Optional;

/**
 * Envoy's load balancing policies as the daemon's LB types: ROUND_ROBIN to ROUND_ROBIN, RANDOM
 * to RANDOM, LEAST_REQUEST to LEAST_CONN (both pick the less loaded of two random backends),
 * RING_HASH and MAGLEV to CONSISTENT_HASH (ax hashes the client's IP: the hash key Envoy uses
 * is an HTTP header or cookie that ax never sees).
 */
public final class LbTypes {
  private LbTypes() {}

  /** The daemon's type, or empty for CLUSTER_PROVIDED and OTHER, which have none. */
  public static Optional<LbType> of(LbPolicy policy) {
    return switch (policy) {
      case ROUND_ROBIN -> Optional.of(LbType.ROUND_ROBIN);
      case RANDOM -> Optional.of(LbType.RANDOM);
      case LEAST_REQUEST -> Optional.of(LbType.LEAST_CONN);
      case RING_HASH, MAGLEV -> Optional.of(LbType.CONSISTENT_HASH);
      case CLUSTER_PROVIDED, OTHER -> Optional.empty();
    };
  }
}
