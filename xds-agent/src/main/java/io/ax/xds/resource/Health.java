package io.ax.xds.resource;

/** An endpoint's {@code health_status} (Envoy's {@code core.v3.HealthStatus}). */
public enum Health {
  UNKNOWN,
  HEALTHY,
  UNHEALTHY,
  DRAINING,
  TIMEOUT,
  DEGRADED;

  /** Whether connections may go to it: HEALTHY, or UNKNOWN (no health checking, Istio's default). */
  public boolean usable() {
    return this == HEALTHY || this == UNKNOWN;
  }
}
