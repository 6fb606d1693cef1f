package io.ax.xds.pilot.mesh;

import io.ax.xds.pilot.config.ConfigObject;
import io.ax.xds.pilot.config.KubeService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds mesh after mesh like {@link MeshBuilder#build}, and reuses the services of the previous
 * build (their endpoints already selected) while the objects that define them, Services,
 * ServiceEntries and WorkloadEntries, are the same objects in the same order: a rule file that
 * changes leaves the other files' parsed objects as they were, so a rule change no longer selects
 * 100,000 endpoints again, and the reused {@link MeshService}s let {@code IncrementalGenerator}
 * tell unchanged services by identity.
 *
 * <p>Not thread-safe: confined to its caller's thread.
 */
public final class IncrementalMeshBuilder {
  private static final Logger log = LoggerFactory.getLogger(IncrementalMeshBuilder.class);
  private final MeshOptions options;
  private List<ConfigObject> lastDefining = List.of();
  private MeshBuilder.Services lastServices;
  /** Services (with their selectors) that selected nothing at the last build, already warned of. */
  private Set<String> unselected = Set.of();

  public IncrementalMeshBuilder(MeshOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** The mesh of {@code objects}, in precedence order as {@link MeshBuilder#build} takes them. */
  public Mesh build(List<ConfigObject> objects) {
    List<ConfigObject> defining = new ArrayList<>();
    for (ConfigObject o : objects) {
      if (MeshBuilder.definesServices(o)) {
        defining.add(o);
      }
    }
    if (lastServices == null || !sameObjects(defining, lastDefining)) {
      lastServices = MeshBuilder.services(defining, options);
      lastDefining = defining;
      warnUnselected(defining, lastServices);
    }
    return MeshBuilder.build(objects, options, lastServices);
  }

  /**
   * One WARN when a Service with a selector has no endpoint (nothing matches it: no WorkloadEntry,
   * no ax app with its labels in its namespace), and again only after it had some: the usual
   * reason a Service's clients are refused.
   */
  private void warnUnselected(List<ConfigObject> defining, MeshBuilder.Services services) {
    Set<String> now = new HashSet<>();
    for (ConfigObject o : defining) {
      if (o instanceof KubeService s && !s.selector().isEmpty()) {
        MeshService m = services.byHost().get(Hosts.ofService(s.meta().name(), s.meta().namespace(), options.domainSuffix()));
        if (m != null && m.endpoints().isEmpty()) {
          String id = s.meta().id() + " " + new TreeMap<>(s.selector());
          now.add(id);
          if (!unselected.contains(id)) {
            log.warn("[pilot] {} ({}): its selector {} selects no workload in namespace {} (no WorkloadEntry, no ax app with these labels); it has no endpoints",
                s.meta().id(), s.meta().source(), new TreeMap<>(s.selector()), s.meta().namespace());
          }
        }
      }
    }
    unselected = now;
  }

  private static boolean sameObjects(List<ConfigObject> a, List<ConfigObject> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }
}
