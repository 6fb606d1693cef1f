package io.ax.xds.ads;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * java-control-plane's real ADS server ({@link V3DiscoveryServer} over a {@link SimpleCache}) on a
 * real grpc-netty server on localhost, recording every request it receives. It can be stopped and
 * started again on the same port; the cache outlives restarts unless replaced.
 */
final class TestPilot implements AutoCloseable {
  final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();
  final List<Long> streamsOpened = new CopyOnWriteArrayList<>();
  private final Optional<SslContext> tls;
  private final List<ServerInterceptor> interceptors;
  private SimpleCache<String> cache = new SimpleCache<>(node -> "all");
  private Server server;
  private int port;

  TestPilot(Optional<SslContext> tls, List<ServerInterceptor> interceptors) {
    this.tls = tls;
    this.interceptors = interceptors;
  }

  static TestPilot plaintext() throws IOException {
    TestPilot p = new TestPilot(Optional.empty(), List.of());
    p.start(0);
    return p;
  }

  void start(int onPort) throws IOException {
    DiscoveryServerCallbacks callbacks = new DiscoveryServerCallbacks() {
      @Override
      public void onStreamOpen(long streamId, String typeUrl) {
        streamsOpened.add(streamId);
      }

      @Override
      public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
        requests.add(request);
      }

      @Override
      public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {}
    };
    V3DiscoveryServer discovery = new V3DiscoveryServer(callbacks, cache);
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", onPort))
        .addService(ServerInterceptors.intercept(discovery.getAggregatedDiscoveryServiceImpl(), interceptors));
    tls.ifPresent(b::sslContext);
    server = b.build().start();
    port = server.getPort();
  }

  /** Stops the server (and with it every stream) and waits for it. */
  void stop() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** A fresh cache, as a restarted control plane has; it takes effect at the next {@link #start}. */
  void forgetState() {
    cache = new SimpleCache<>(node -> "all");
  }

  int port() {
    return port;
  }

  void set(String version, List<Cluster> clusters, List<ClusterLoadAssignment> endpoints, List<Listener> listeners, List<RouteConfiguration> routes) {
    cache.setSnapshot("all", Snapshot.create(clusters, endpoints, listeners, routes, List.of(), version));
  }

  /** The requests of one type, oldest first. */
  List<DiscoveryRequest> requestsOf(String typeUrl) {
    return requests.stream().filter(r -> r.getTypeUrl().equals(typeUrl)).toList();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
