package io.ax.xds.pilot;

import io.ax.xds.pilot.config.ConfigObject;
import io.ax.xds.pilot.mesh.IncrementalMeshBuilder;
import io.ax.xds.pilot.mesh.MeshOptions;
import io.ax.xds.pilot.xds.IncrementalGenerator;
import io.ax.xds.pilot.xds.IstioResources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns config objects into resources and sets them as the cache's snapshot when they changed.
 * Each resource type keeps its own version (the global version at which it last changed), so a
 * change of endpoints does not resend clusters. Not thread-safe: confined to the serial executor.
 */
final class SnapshotPublisher {
  private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);

  private final SimpleCache<String> cache;
  private final String group;
  private final IncrementalMeshBuilder meshes;
  private final IncrementalGenerator generator = new IncrementalGenerator();
  private final VersionedSnapshot.Maker snapshots = new VersionedSnapshot.Maker();
  private final Set<String> reportedNotes;
  private long version;
  private IstioResources current;
  private final long[] typeVersions = new long[4];

  SnapshotPublisher(SimpleCache<String> cache, String group, MeshOptions options) {
    this(cache, group, options, new HashSet<>());
  }

  /** @param reportedNotes the notes already logged, shared by the publishers of one pilot so each is logged once */
  SnapshotPublisher(SimpleCache<String> cache, String group, MeshOptions options, Set<String> reportedNotes) {
    this.cache = cache;
    this.group = group;
    this.meshes = new IncrementalMeshBuilder(options);
    this.reportedNotes = reportedNotes;
  }

  /** Publishes the resources of {@code objects}; returns the new state when anything changed. */
  Optional<ServingState> publish(List<ConfigObject> objects, List<String> notes) {
    IstioResources next = generator.generate(meshes.build(objects));
    for (String n : notes) {
      report(n);
    }
    for (String n : next.notes()) {
      report(n);
    }
    if (current != null && current.clusters().equals(next.clusters()) && current.endpoints().equals(next.endpoints())
        && current.listeners().equals(next.listeners()) && current.routes().equals(next.routes())) {
      current = next;
      return Optional.empty();
    }
    version++;
    if (current == null || !current.clusters().equals(next.clusters())) {
      typeVersions[0] = version;
    }
    if (current == null || !current.endpoints().equals(next.endpoints())) {
      typeVersions[1] = version;
    }
    if (current == null || !current.listeners().equals(next.listeners())) {
      typeVersions[2] = version;
    }
    if (current == null || !current.routes().equals(next.routes())) {
      typeVersions[3] = version;
    }
    Snapshot snapshot = snapshots.make(
        next.clusters(), Long.toString(typeVersions[0]),
        next.endpoints(), Long.toString(typeVersions[1]),
        next.listeners(), Long.toString(typeVersions[2]),
        next.routes(), Long.toString(typeVersions[3]));
    cache.setSnapshot(group, snapshot);
    current = next;
    return Optional.of(new ServingState(version, next));
  }

  private void report(String note) {
    // Notes repeat on every rebuild; each is worth one line.
    if (reportedNotes.size() < 10_000 && reportedNotes.add(note)) {
      log.info("[pilot] {}", note);
    }
  }
}
