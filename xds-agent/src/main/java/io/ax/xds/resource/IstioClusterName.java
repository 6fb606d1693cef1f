package io.ax.xds.resource;

import java.util.Objects;
import java.util.Optional;

/**
 * The parts of a cluster name that istiod builds as {@code DIRECTION|PORT|SUBSET|HOST}, e.g.
 * {@code outbound|9080|v1|reviews.default.svc.cluster.local} (see istio's
 * {@code pilot/pkg/model/service.go}, BuildSubsetKey). Inbound names may have an empty host
 * ({@code inbound|9080||}); ambient waypoints use {@code inbound-vip|8000|http|HOST}.
 *
 * @param subset the DestinationRule subset, empty for the service's default cluster
 */
public record IstioClusterName(Direction direction, int port, String subset, String host) {
  public enum Direction {
    OUTBOUND("outbound"),
    INBOUND("inbound"),
    INBOUND_VIP("inbound-vip");

    private final String text;

    Direction(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  public IstioClusterName {
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(subset, "subset");
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
    }
  }

  /** Splits a cluster name; empty when it does not have Istio's shape (BlackHoleCluster, agent). */
  public static Optional<IstioClusterName> parse(String clusterName) {
    String[] parts = clusterName.split("\\|", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    Direction direction = null;
    for (Direction d : Direction.values()) {
      if (d.text.equals(parts[0])) {
        direction = d;
      }
    }
    if (direction == null || parts[1].isEmpty() || parts[1].length() > 5 || !parts[1].chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    int port = Integer.parseInt(parts[1]);
    if (port < 1 || port > 65535) {
      return Optional.empty();
    }
    return Optional.of(new IstioClusterName(direction, port, parts[2], parts[3]));
  }

  /** The name istiod gives this cluster. */
  public String clusterName() {
    return direction.text + "|" + port + "|" + subset + "|" + host;
  }

  public boolean isSubset() {
    return !subset.isEmpty();
  }
}
