package io.ax.xds.pilot;

import io.ax.xds.pilot.config.ConfigObject;
import io.ax.xds.pilot.mesh.MeshOptions;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshots pilot-lite serves, one per node namespace, as istiod scopes a proxy's view by its
 * namespace: {@code exportTo} and the DestinationRule lookup depend on the client's namespace.
 * A node's namespace is its metadata {@code NAMESPACE} (as istio-agent and {@code ax agent
 * --namespace} send it); the default namespace (MeshOptions.proxyNamespace) is always served, and
 * a further namespace gets its own view when a node of it first asks, up to
 * {@link #MAX_NAMESPACES}.
 *
 * <p>Threads: the set of served namespaces is concurrent (the cache's group function and the
 * gRPC callback read it); the publishers and the last objects are confined to the config
 * executor, where {@link #publish} runs and where {@link #nodeSeen} schedules new views.
 */
final class NamespaceViews {
  private static final Logger log = LoggerFactory.getLogger(NamespaceViews.class);
  /**
   * The most namespaces served a view of their own; nodes of further namespaces get the default
   * namespace's (bounds the builds that a stream of made-up node namespaces could cause).
   */
  static final int MAX_NAMESPACES = 64;
  /** Kubernetes' namespace names (RFC 1123 labels). */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private final MeshOptions options;
  private final Executor executor;
  private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
  private final SimpleCache<String> cache = new SimpleCache<>(this::group);
  private final Set<String> reportedNotes = new HashSet<>();
  private final Map<String, SnapshotPublisher> publishers = new LinkedHashMap<>();
  private final SnapshotPublisher main;
  private List<ConfigObject> lastObjects = List.of();
  private List<String> lastNotes = List.of();

  /** @param executor the config executor, where new views are built */
  NamespaceViews(MeshOptions options, Executor executor) {
    this.options = options;
    this.executor = executor;
    this.main = new SnapshotPublisher(cache, options.proxyNamespace(), options, reportedNotes);
    publishers.put(options.proxyNamespace(), main);
    namespaces.add(options.proxyNamespace());
  }

  SimpleCache<String> cache() {
    return cache;
  }

  /** Publishes {@code objects} to every view; returns the default view's new state, if it changed. On the executor. */
  Optional<ServingState> publish(List<ConfigObject> objects, List<String> notes) {
    Optional<ServingState> next = main.publish(objects, notes);
    lastObjects = objects;
    lastNotes = notes;
    for (SnapshotPublisher p : publishers.values()) {
      if (p != main) {
        p.publish(objects, notes);
      }
    }
    return next;
  }

  /** The snapshot nodes of {@code namespace} receive, if one was made for them. */
  Optional<Snapshot> snapshot(String namespace) {
    return Optional.ofNullable(cache.getSnapshot(namespace));
  }

  /** Called with a node's first request, before the cache sees it: a new namespace gets its view built on the executor. */
  void nodeSeen(Node node) {
    String ns = namespaceOf(node);
    if (namespaces.contains(ns)) {
      return;
    }
    if (namespaces.size() >= MAX_NAMESPACES) {
      log.warn("[pilot] node {} of namespace {}: already {} namespaces served; it gets namespace {}'s view", node.getId(), ns, MAX_NAMESPACES,
          options.proxyNamespace());
      return;
    }
    // Added before the view is built: the node's watch on that group waits for its snapshot.
    if (namespaces.add(ns)) {
      executor.execute(() -> {
        SnapshotPublisher p = new SnapshotPublisher(cache, ns, options.forNamespace(ns), reportedNotes);
        publishers.put(ns, p);
        p.publish(lastObjects, lastNotes);
        log.info("[pilot] serving namespace {} a view of its own (exportTo, DestinationRule lookup)", ns);
      });
    }
  }

  /** A node's group: its namespace when that namespace is served, else the default one. */
  private String group(Node node) {
    String ns = namespaceOf(node);
    return namespaces.contains(ns) ? ns : options.proxyNamespace();
  }

  private String namespaceOf(Node node) {
    String ns = node.getMetadata().getFieldsOrDefault("NAMESPACE", com.google.protobuf.Value.getDefaultInstance()).getStringValue();
    return NAMESPACE.matcher(ns).matches() ? ns : options.proxyNamespace();
  }
}
