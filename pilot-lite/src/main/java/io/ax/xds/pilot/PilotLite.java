package io.ax.xds.pilot;

import io.ax.xds.pilot.apps.AppsWatch;
import io.ax.xds.pilot.config.ConfigObject;
import io.ax.xds.pilot.config.WorkloadEntry;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.time.Duration;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pilot-lite: an xDS server (java-control-plane's {@link V3DiscoveryServer} on a {@link SimpleCache})
 * that serves Istio-shaped resources made from the YAML in a directory, and follows the
 * directory's changes.
 *
 * <p>Threads: config reading, building and publishing run on one serial executor (the directory
 * state is confined to it); a watcher thread only schedules scans on it; the served state is an
 * immutable {@link ServingState} in an {@link AtomicReference}. {@link #close()} is idempotent.
 */
public final class PilotLite implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PilotLite.class);
  /** How long the start waits for the daemon's first list of apps. */
  static final Duration FIRST_APPS_WAIT = Duration.ofSeconds(2);
  /** Responses per stream awaiting an ACK or NACK that are remembered for the ACK latency. */
  private static final int MAX_UNANSWERED = 64;

  private final PilotConfig config;
  // One snapshot per node namespace (see NamespaceViews); the default namespace's drives state().
  private final NamespaceViews views;
  private final SimpleCache<String> cache;
  private final ScheduledExecutorService executor;
  private final ConfigDirectory directory;
  private final Consumer<ServingState> onChange;
  private final PilotObserver observer;
  private final AtomicReference<ServingState> state = new AtomicReference<>();
  private final AtomicReference<Map<Path, String>> errors = new AtomicReference<>(Map.of());
  private final Map<Long, String> streams = new ConcurrentHashMap<>();
  private WatchService watch;
  private Thread watcher;
  private Server server;
  private ScheduledFuture<?> pendingScan;
  /** Files named by events since the pending scan was scheduled; confined to the executor. */
  private Suspects pendingSuspects = Suspects.NONE;
  /** The daemon's apps as WorkloadEntries, and whether they changed since the last build; confined to the executor. */
  private List<WorkloadEntry> appWorkloads = List.of();
  private boolean appsChanged;
  private AppsWatch apps;
  private volatile boolean closed;

  private PilotLite(PilotConfig config, Consumer<ServingState> onChange, PilotObserver observer) {
    this.config = config;
    this.onChange = onChange;
    this.observer = observer;
    this.directory = new ConfigDirectory(config.configDir());
    this.executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("pilot-config").daemon().factory());
    this.views = new NamespaceViews(config.mesh(), r -> {
      try {
        executor.execute(r);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing: no view is built any more
      }
    });
    this.cache = views.cache();
  }

  /** Starts serving with no change callback. */
  public static PilotLite start(PilotConfig config) throws PilotException {
    return start(config, s -> {});
  }

  /**
   * Reads the directory, starts the xDS server and the watcher.
   *
   * @param onChange called on the config thread with the first state and each changed one
   * @throws PilotException when the directory does not exist or the port cannot be bound
   */
  public static PilotLite start(PilotConfig config, Consumer<ServingState> onChange) throws PilotException {
    return start(config, onChange, PilotObserver.NONE);
  }

  /**
   * Reads the directory, starts the xDS server and the watcher, and tells {@code observer} about
   * streams, responses, ACKs, NACKs and config builds.
   */
  public static PilotLite start(PilotConfig config, Consumer<ServingState> onChange, PilotObserver observer) throws PilotException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(onChange, "onChange");
    Objects.requireNonNull(observer, "observer");
    if (!Files.isDirectory(config.configDir())) {
      throw new PilotException("config directory " + config.configDir() + " does not exist or is not a directory (expected a directory of Istio/Kubernetes YAML)");
    }
    PilotLite p = new PilotLite(config, onChange, observer);
    try {
      p.startWatching();
      config.apps().ifPresent(p::watchApps);
      p.runOnExecutor(() -> p.reload(Suspects.ALL));
      p.startServer();
      p.executor.scheduleWithFixedDelay(() -> p.reload(Suspects.NONE), config.rescanInterval().toMillis(), config.rescanInterval().toMillis(), TimeUnit.MILLISECONDS);
      return p;
    } catch (PilotException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  /** The port the xDS server listens on (the chosen one when configured with 0). */
  public int port() {
    return server.getPort();
  }

  /** What is served now. */
  public ServingState state() {
    return state.get();
  }

  /** The cache's current snapshot, as clients receive it. */
  public Snapshot snapshot() {
    return cache.getSnapshot(config.mesh().proxyNamespace());
  }

  /** The snapshot that nodes of {@code namespace} receive, if one was made for them. */
  public Optional<Snapshot> snapshot(String namespace) {
    return views.snapshot(namespace);
  }

  /** Files that currently fail to parse, with their one-line error {@code FILE:LINE: what is wrong}. */
  public Map<Path, String> fileErrors() {
    return errors.get();
  }

  /** The node ids of connected ADS streams. */
  public List<String> connectedNodes() {
    return List.copyOf(new ArrayList<>(streams.values()));
  }

  private void reload(Suspects suspects) {
    long start = System.nanoTime();
    try {
      if (closed || !directory.scan(suspects) && state.get() != null && !appsChanged) {
        errors.set(directory.errors());
        return;
      }
      appsChanged = false;
      errors.set(directory.errors());
      List<String> notes = new ArrayList<>();
      List<ConfigObject> objects = new ArrayList<>(directory.objects(notes));
      objects.addAll(appWorkloads);
      Optional<ServingState> next = views.publish(objects, notes);
      observer.configBuilt(Duration.ofNanos(System.nanoTime() - start), next.isPresent() ? "published" : "unchanged");
      next.ifPresent(s -> {
        state.set(s);
        // How long from the scan to the snapshot in the cache: what a change costs beyond the debounce.
        log.info("[pilot] {} in {} ms", s.summary(), (System.nanoTime() - start) / 1_000_000);
        onChange.accept(s);
      });
    } catch (RuntimeException e) {
      // A bug here must not stop the watcher: keep serving the last good snapshot.
      observer.configBuilt(Duration.ofNanos(System.nanoTime() - start), "failed");
      log.error("[pilot] rebuilding the config failed; serving the last good snapshot", e);
    }
  }

  private void runOnExecutor(Runnable r) {
    try {
      executor.submit(r).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the config", e);
    }
  }

  private void startWatching() {
    try {
      watch = config.configDir().getFileSystem().newWatchService();
      config.configDir().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException e) {
      log.warn("[pilot] cannot watch {} ({}); relying on the rescan every {} ms", config.configDir(), e.toString(), config.rescanInterval().toMillis());
      return;
    }
    watcher = Thread.ofPlatform().name("pilot-watch").daemon().start(() -> {
      try {
        while (!closed) {
          WatchKey key = watch.take();
          Set<Path> named = new HashSet<>();
          boolean lost = false;
          for (WatchEvent<?> e : key.pollEvents()) {
            if (e.kind() == StandardWatchEventKinds.OVERFLOW || !(e.context() instanceof Path p)) {
              lost = true;
            } else {
              named.add(config.configDir().resolve(p));
            }
          }
          key.reset();
          scheduleScan(lost ? Suspects.ALL : new Suspects.Named(named));
        }
      } catch (InterruptedException | ClosedWatchServiceException e) {
        // closing
      }
    });
  }

  /**
   * Debounce: the first event of a burst schedules one scan after the quiet time; the files the
   * burst's events name are read again then, whatever their modification time says.
   */
  private void scheduleScan(Suspects suspects) {
    if (executor.isShutdown()) {
      return; // closing: a file event that raced close() has nothing left to update
    }
    try {
      executor.execute(() -> scheduleOnExecutor(suspects));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // close() shut the executor down between the check and here
    }
  }

  /**
   * Follows the daemon's apps, and waits up to {@link #FIRST_APPS_WAIT} for the first answer, so
   * that the first snapshot has their endpoints (a first build without them would serve every
   * Service empty and warn of each). A daemon that is not there (its first watch failed) or does
   * not answer in time is not waited for: its apps come with a later build.
   */
  private void watchApps(Path adminSocket) {
    // The first list is queued on the executor before the first reload when it comes in time.
    apps = AppsWatch.start(adminSocket, this::appsChanged);
    try {
      if (!apps.awaitFirstAnswer(FIRST_APPS_WAIT)) {
        log.info("[pilot] the ax daemon at {} did not list its apps within {} ms; serving without them until it does", adminSocket, FIRST_APPS_WAIT.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The daemon's apps changed: rebuild after the debounce, as for a file. */
  private void appsChanged(List<WorkloadEntry> workloads) {
    if (executor.isShutdown()) {
      return;
    }
    try {
      executor.execute(() -> {
        appWorkloads = workloads;
        appsChanged = true;
        scheduleOnExecutor(Suspects.NONE);
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  private void scheduleOnExecutor(Suspects suspects) {
    pendingSuspects = pendingSuspects.union(suspects);
    if (pendingScan == null || pendingScan.isDone()) {
      pendingScan = executor.schedule(() -> {
        Suspects now = pendingSuspects;
        pendingSuspects = Suspects.NONE;
        reload(now);
      }, config.debounce().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void startServer() throws PilotException {
    V3DiscoveryServer xds = new V3DiscoveryServer(new NodeLog(), cache);
    InetSocketAddress at = new InetSocketAddress(config.address(), config.port());
    try {
      server = NettyServerBuilder.forAddress(at)
          .addService(xds.getAggregatedDiscoveryServiceImpl())
          .addService(xds.getClusterDiscoveryServiceImpl())
          .addService(xds.getEndpointDiscoveryServiceImpl())
          .addService(xds.getListenerDiscoveryServiceImpl())
          .addService(xds.getRouteDiscoveryServiceImpl())
          .build()
          .start();
    } catch (IOException | UncheckedIOException e) {
      throw new PilotException("cannot listen on " + config.address() + ":" + config.port() + ": " + bindFailure(e), e);
    }
    log.info("[pilot] xDS (ADS, CDS, EDS, LDS, RDS) on {}:{}, config from {}", config.address(), server.getPort(), config.configDir());
  }

  /** The root cause of a failed bind, in words: Netty wraps the errno in two exceptions. */
  private static String bindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return "address already in use";
      }
      if (t.getCause() == null) {
        return String.valueOf(t.getMessage());
      }
    }
    return e.toString();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info("[pilot] stopping");
    if (apps != null) {
      apps.close();
    }
    if (server != null) {
      server.shutdownNow();
    }
    if (watch != null) {
      try {
        watch.close();
      } catch (IOException e) {
        log.debug("[pilot] closing the watch service: {}", e.toString());
      }
    }
    executor.shutdownNow();
    try {
      if (server != null) {
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Logs which nodes connect and what they reject (INFO per stream, DEBUG per request), and tells
   * the observer: a request that names the nonce of a response we sent ACKs it, or NACKs it when
   * it carries an error detail; one with no nonce subscribes.
   */
  private final class NodeLog implements DiscoveryServerCallbacks {
    /** Per stream, the responses not yet answered: nonce to the time it was sent. */
    private final Map<Long, Map<String, Long>> unanswered = new ConcurrentHashMap<>();

    @Override
    public void onStreamOpen(long streamId, String typeUrl) {
      unanswered.put(streamId, new ConcurrentHashMap<>());
      observer.streamOpened();
    }

    @Override
    public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
      if (request.hasNode() && streams.putIfAbsent(streamId, request.getNode().getId()) == null) {
        log.info("[pilot] node {} connected (stream {})", request.getNode().getId(), streamId);
        views.nodeSeen(request.getNode());
      }
      String type = shortType(request.getTypeUrl());
      Map<String, Long> sent = unanswered.get(streamId);
      Long sentAt = sent == null || request.getResponseNonce().isEmpty() ? null : sent.remove(request.getResponseNonce());
      if (request.hasErrorDetail()) {
        observer.nacked(type);
        log.warn("[pilot] node {} rejected {} version {}: {}", streams.get(streamId), request.getTypeUrl(), request.getVersionInfo(),
            request.getErrorDetail().getMessage());
      } else if (sentAt != null) {
        observer.acked(type, Duration.ofNanos(System.nanoTime() - sentAt));
      }
      log.debug("[pilot] stream {} request {} version {} nonce {}", streamId, request.getTypeUrl(), request.getVersionInfo(), request.getResponseNonce());
    }

    @Override
    public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
      Map<String, Long> sent = unanswered.get(streamId);
      // A node answers each response; one that stops answering must not grow the map without end.
      if (sent != null && sent.size() < MAX_UNANSWERED) {
        sent.put(response.getNonce(), System.nanoTime());
      }
      observer.responseSent(shortType(response.getTypeUrl()));
    }

    @Override
    public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
      log.debug("[pilot] stream {} delta request {}", streamId, request.getTypeUrl());
    }

    @Override
    public void onStreamClose(long streamId, String typeUrl) {
      closed(streamId);
    }

    @Override
    public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
      closed(streamId);
    }

    private void closed(long streamId) {
      if (unanswered.remove(streamId) != null) {
        observer.streamClosed();
      }
      String node = streams.remove(streamId);
      if (node != null) {
        log.info("[pilot] node {} disconnected (stream {})", node, streamId);
      }
    }
  }

  /** The metric label of a type URL: a fixed set, whatever a client sends. */
  static String shortType(String typeUrl) {
    return switch (typeUrl) {
      case Resources.V3.CLUSTER_TYPE_URL -> "cluster";
      case Resources.V3.ENDPOINT_TYPE_URL -> "endpoint";
      case Resources.V3.LISTENER_TYPE_URL -> "listener";
      case Resources.V3.ROUTE_TYPE_URL -> "route";
      default -> "other";
    };
  }
}
