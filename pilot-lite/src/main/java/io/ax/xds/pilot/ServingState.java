package io.ax.xds.pilot;

import io.ax.xds.pilot.xds.IstioResources;
import java.util.Objects;

/**
 * What pilot-lite serves: the resources and the snapshot version, which grows by one each time
 * their content changes (and only then).
 */
public record ServingState(long version, IstioResources resources) {
  public ServingState {
    Objects.requireNonNull(resources, "resources");
  }

  /** {@code serving 4 services, 13 clusters, 4 listeners, 1 route (version 7)}. */
  public String summary() {
    return "serving " + resources.summary() + " (version " + version + ")";
  }
}
