package io.ax.xds.pilot.mesh;

import io.ax.xds.pilot.config.ConfigObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
  private final MeshOptions options;
  private List<ConfigObject> lastDefining = List.of();
  private MeshBuilder.Services lastServices;

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
    }
    return MeshBuilder.build(objects, options, lastServices);
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
