package io.ax.core.model;

import io.ax.core.lb.Candidate;
import io.ax.core.net.Ipv4;
import io.ax.core.net.Ports;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A vservice backend: an IP and, optionally, its own port. Without a port the backend is reached
 * on the app port of the vport the client used. At connect time the IP first names service table
 * entries (matched by their service address); only when none match is it an external address.
 *
 * @param weight the backend's relative share under Random, RoundRobin and ConsistentHash (Envoy's
 *     {@code load_balancing_weight}), 1 to {@link #MAX_WEIGHT}; every service table entry the IP
 *     names gets this weight
 */
public record Backend(Ipv4 ip, OptionalInt port, int weight, Locality locality) {
  /** The balancers' bound on a weight: see {@link Candidate#MAX_WEIGHT}. */
  public static final int MAX_WEIGHT = Candidate.MAX_WEIGHT;

  public Backend {
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(port, "port");
    port.ifPresent(p -> Ports.check("port", p));
    checkWeight("weight", weight);
    Objects.requireNonNull(locality, "locality");
  }

  /** A backend of unknown locality. */
  public Backend(Ipv4 ip, OptionalInt port, int weight) {
    this(ip, port, weight, Locality.NONE);
  }

  /** A backend of weight 1. */
  public Backend(Ipv4 ip, OptionalInt port) {
    this(ip, port, 1);
  }

  public static Backend of(Ipv4 ip) {
    return new Backend(ip, OptionalInt.empty());
  }

  /** Checks a weight: 1 to {@link #MAX_WEIGHT}. */
  public static int checkWeight(String field, long weight) {
    return Candidate.checkWeight(field, weight);
  }

  /** Parses {@code ip} or {@code ip:port}. */
  public static Backend parse(String field, String text) {
    String t = text.strip();
    int colon = t.indexOf(':');
    if (colon < 0) {
      return of(Ipv4.parse(field, t));
    }
    return new Backend(Ipv4.parse(field, t.substring(0, colon)), OptionalInt.of(Ports.parse(field, t.substring(colon + 1))));
  }

  /** {@code ip[:port]}, then {@code (w=N)} when the weight is not 1. */
  @Override
  public String toString() {
    String at = port.isPresent() ? ip + ":" + port.getAsInt() : ip.toString();
    return weight == 1 ? at : at + "(w=" + weight + ")";
  }
}
