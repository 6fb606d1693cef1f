package io.ax.xds.pilot.config;

import java.util.Objects;

/** An Istio {@code WorkloadEntry}: a VM or pod, an endpoint of the services whose selector it matches. */
public record WorkloadEntry(Meta meta, Workload workload) implements ConfigObject {
  public WorkloadEntry {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(workload, "workload");
  }
}
