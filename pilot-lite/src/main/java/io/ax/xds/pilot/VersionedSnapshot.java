package io.ax.xds.pilot;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link Snapshot} whose {@link VersionedResource}s are made once per resource object and reused
 * by the next snapshots while the object stays. {@code Snapshot.create} wraps every resource again,
 * and that computes its hash (a protobuf {@code hashCode} over the whole message, then a SHA-256):
 * 0.1 s per change at 20,000 resources, most of a second at start-up. The per-resource versions
 * are the library's own ({@link VersionedResource#create(Message)}); each type has one version for
 * state-of-the-world clients, as with {@code Snapshot.create}. Immutable.
 */
final class VersionedSnapshot extends Snapshot {
  private final SnapshotResources<Cluster> clusters;
  private final SnapshotResources<ClusterLoadAssignment> endpoints;
  private final SnapshotResources<Listener> listeners;
  private final SnapshotResources<RouteConfiguration> routes;
  private final SnapshotResources<Secret> secrets = SnapshotResources.create(List.<VersionedResource<Secret>>of(), names -> "0");

  private VersionedSnapshot(
      SnapshotResources<Cluster> clusters, SnapshotResources<ClusterLoadAssignment> endpoints, SnapshotResources<Listener> listeners,
      SnapshotResources<RouteConfiguration> routes) {
    this.clusters = clusters;
    this.endpoints = endpoints;
    this.listeners = listeners;
    this.routes = routes;
  }

  @Override
  public SnapshotResources<Cluster> clusters() {
    return clusters;
  }

  @Override
  public SnapshotResources<ClusterLoadAssignment> endpoints() {
    return endpoints;
  }

  @Override
  public SnapshotResources<Listener> listeners() {
    return listeners;
  }

  @Override
  public SnapshotResources<RouteConfiguration> routes() {
    return routes;
  }

  @Override
  public SnapshotResources<Secret> secrets() {
    return secrets;
  }

  /**
   * Makes snapshots one after another, remembering the {@link VersionedResource} of each resource
   * object of the last one. Not thread-safe: confined to the publisher's executor.
   */
  static final class Maker {
    private Map<Message, VersionedResource<?>> last = new IdentityHashMap<>();

    /** A snapshot of these resources, each list with the version of its type. */
    VersionedSnapshot make(
        List<Cluster> clusters, String clustersVersion, List<ClusterLoadAssignment> endpoints, String endpointsVersion,
        List<Listener> listeners, String listenersVersion, List<RouteConfiguration> routes, String routesVersion) {
      Map<Message, VersionedResource<?>> next = new IdentityHashMap<>(last.size());
      VersionedSnapshot s = new VersionedSnapshot(
          resources(clusters, clustersVersion, next), resources(endpoints, endpointsVersion, next),
          resources(listeners, listenersVersion, next), resources(routes, routesVersion, next));
      last = next;
      return s;
    }

    /** The resources as versioned ones, from the last snapshot where the object is the same; adds them to {@code next}. */
    private <T extends Message> SnapshotResources<T> resources(List<T> resources, String version, Map<Message, VersionedResource<?>> next) {
      Objects.requireNonNull(version, "version");
      List<VersionedResource<T>> out = new ArrayList<>(resources.size());
      for (T r : resources) {
        @SuppressWarnings("unchecked")
        VersionedResource<T> v = (VersionedResource<T>) last.get(r);
        if (v == null) {
          v = VersionedResource.create(r);
        }
        next.put(r, v);
        out.add(v);
      }
      return SnapshotResources.create(out, names -> version);
    }
  }
}
