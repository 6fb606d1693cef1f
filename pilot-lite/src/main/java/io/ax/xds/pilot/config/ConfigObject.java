package io.ax.xds.pilot.config;

/** One Kubernetes or Istio object that pilot-lite understands. Immutable. */
public sealed interface ConfigObject
    permits KubeService, ServiceEntry, WorkloadEntry, ServiceEndpoints, DestinationRule, VirtualService, DestinationPolicy {
  Meta meta();
}
