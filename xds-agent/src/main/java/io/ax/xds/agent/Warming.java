package io.ax.xds.agent;

import io.ax.xds.resource.ClusterResource;
import io.ax.xds.resource.ListenerResource;
import io.ax.xds.translate.XdsSnapshot;
import java.util.Optional;

/**
 * Whether a snapshot is complete enough to push: Envoy "warms" a cluster until its endpoints have
 * arrived and a listener until its routes have, so that a half-received config is never used.
 * The agent does the same, or a new service would first reach the daemon with no backends and
 * no vIP (its vIP often comes from RDS), and the notes would report gaps that close a moment
 * later. Pure.
 */
final class Warming {
  private Warming() {}

  /** Before the agent's first push, or after it. */
  enum Phase {
    START,
    RUNNING
  }

  /**
   * What the snapshot still waits for, e.g. "EDS for 3 clusters, RDS for 1 route"; empty when
   * complete.
   *
   * @param phase {@link Phase#START} before the first push: only then are clusters without any listener
   *     taken as LDS not having answered (later, a mesh may well have no listeners)
   */
  static Optional<String> missing(XdsSnapshot s, Phase phase) {
    long eds = s.clusters().values().stream()
        .map(ClusterResource::edsServiceName)
        .flatMap(Optional::stream)
        .filter(name -> !s.endpoints().containsKey(name))
        .count();
    long rds = s.listeners().values().stream()
        .map(ListenerResource::routeNames)
        .flatMap(java.util.Set::stream)
        .distinct()
        .filter(name -> !s.routes().containsKey(name))
        .count();
    // At the start, clusters without any listener: LDS has not answered yet (istiod sends CDS
    // first, and a sidecar gets listeners for any service with a vIP).
    boolean lds = phase == Phase.START && !s.clusters().isEmpty() && s.listeners().isEmpty();
    StringBuilder out = new StringBuilder();
    if (eds > 0) {
      out.append("EDS for ").append(eds).append(eds == 1 ? " cluster" : " clusters");
    }
    if (lds) {
      out.append(out.isEmpty() ? "" : ", ").append("LDS");
    }
    if (rds > 0) {
      out.append(out.isEmpty() ? "" : ", ").append("RDS for ").append(rds).append(rds == 1 ? " route" : " routes");
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(out.toString());
  }
}
