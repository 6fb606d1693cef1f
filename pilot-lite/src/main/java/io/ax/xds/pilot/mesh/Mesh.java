package io.ax.xds.pilot.mesh;

import io.ax.xds.pilot.config.VirtualService;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every service with its endpoints, the destination rules and virtual services that apply to each
 * host, and notes on config that was accepted without effect. Immutable; made by {@link MeshBuilder}.
 *
 * @param services by host, sorted
 */
public record Mesh(
    SortedMap<String, MeshService> services,
    Map<String, HostRules> rules,
    Map<String, VirtualService> virtualServices,
    List<String> notes,
    MeshOptions options) {
  public Mesh {
    services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
    rules = Map.copyOf(rules);
    virtualServices = Map.copyOf(virtualServices);
    notes = List.copyOf(notes);
    Objects.requireNonNull(options, "options");
  }

  public HostRules rules(String host) {
    return rules.getOrDefault(host, HostRules.NONE);
  }

  public Optional<VirtualService> virtualService(String host) {
    return Optional.ofNullable(virtualServices.get(host));
  }

  public Optional<MeshService> service(String host) {
    return Optional.ofNullable(services.get(host));
  }
}
