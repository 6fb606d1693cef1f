package io.ax.xds.pilot.config;

import java.util.List;
import java.util.Objects;

/**
 * A Kubernetes {@code v1/Endpoints} or {@code discovery.k8s.io/v1/EndpointSlice}: endpoints of the
 * Service {@code service} in the object's namespace, as Kubernetes' endpoint controllers write
 * them. Each endpoint serves only the ports listed with it, by the Service port's name.
 */
public record ServiceEndpoints(Meta meta, String service, List<Workload> endpoints) implements ConfigObject {
  public ServiceEndpoints {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(service, "service");
    endpoints = List.copyOf(endpoints);
  }
}
