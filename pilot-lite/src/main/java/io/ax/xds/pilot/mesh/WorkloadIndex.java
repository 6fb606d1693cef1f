package io.ax.xds.pilot.mesh;

import io.ax.xds.pilot.config.ConfigObject;
import io.ax.xds.pilot.config.ServiceEndpoints;
import io.ax.xds.pilot.config.Workload;
import io.ax.xds.pilot.config.WorkloadEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * WorkloadEntries by namespace and by label (and the endpoints of Endpoints objects by Service), so that selecting the endpoints of 10,000 services
 * among 100,000 workloads looks at the candidates of one label pair, not at every workload of the
 * namespace. Immutable after construction.
 */
final class WorkloadIndex {
  private final Map<String, List<Workload>> byNamespace = new HashMap<>();
  private final Map<String, Map<String, List<Workload>>> byLabel = new HashMap<>();
  /** Endpoints and EndpointSlices by {@code namespace/service}. */
  private final Map<String, List<Workload>> byService = new HashMap<>();

  WorkloadIndex(List<ConfigObject> objects) {
    for (ConfigObject o : objects) {
      if (o instanceof WorkloadEntry we) {
        String ns = we.meta().namespace();
        byNamespace.computeIfAbsent(ns, k -> new ArrayList<>()).add(we.workload());
        Map<String, List<Workload>> labels = byLabel.computeIfAbsent(ns, k -> new HashMap<>());
        we.workload().labels().forEach((k, v) -> labels.computeIfAbsent(k + "=" + v, x -> new ArrayList<>()).add(we.workload()));
      } else if (o instanceof ServiceEndpoints se) {
        byService.computeIfAbsent(se.meta().namespace() + "/" + se.service(), k -> new ArrayList<>()).addAll(se.endpoints());
      }
    }
  }

  /** The workloads of {@code namespace} whose labels match {@code selector}, in config order; none for an empty selector. */
  List<Workload> select(String namespace, Map<String, String> selector) {
    if (selector.isEmpty()) {
      return List.of();
    }
    Map<String, List<Workload>> labels = byLabel.getOrDefault(namespace, Map.of());
    List<Workload> smallest = null;
    for (Map.Entry<String, String> e : selector.entrySet()) {
      List<Workload> c = labels.getOrDefault(e.getKey() + "=" + e.getValue(), List.of());
      if (smallest == null || c.size() < smallest.size()) {
        smallest = c;
      }
    }
    return smallest.stream().filter(w -> w.matches(selector)).toList();
  }

  /** The endpoints that Endpoints and EndpointSlices of {@code namespace} list for Service {@code service}, in config order. */
  List<Workload> ofService(String namespace, String service) {
    return byService.getOrDefault(namespace + "/" + service, List.of());
  }

  /** All workloads of {@code namespace} (a ServiceEntry's empty workloadSelector selects them all). */
  List<Workload> all(String namespace) {
    return byNamespace.getOrDefault(namespace, List.of());
  }
}
