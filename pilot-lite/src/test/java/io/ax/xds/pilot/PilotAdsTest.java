package io.ax.xds.pilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ax.xds.pilot.mesh.MeshOptions;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real gRPC ADS client (Envoy's generated stub) against a running pilot-lite. */
class PilotAdsTest {
  static final String NODE_ID = "sidecar~10.244.0.99~client.default~default.svc.cluster.local";
  static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";

  /**
   * The four ADS types, spelled out here rather than taken from the agent's {@code ResourceType}:
   * pilot-lite does not depend on the agent, and the type URLs are the wire contract between them.
   */
  enum ResourceType {
    CLUSTER("type.googleapis.com/envoy.config.cluster.v3.Cluster", "CDS"),
    ENDPOINT("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", "EDS"),
    LISTENER("type.googleapis.com/envoy.config.listener.v3.Listener", "LDS"),
    ROUTE("type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "RDS");

    private final String typeUrl;
    private final String shortName;

    ResourceType(String typeUrl, String shortName) {
      this.typeUrl = typeUrl;
      this.shortName = shortName;
    }

    String typeUrl() {
      return typeUrl;
    }

    String shortName() {
      return shortName;
    }
  }

  @TempDir Path dir;
  PilotLite pilot;
  ManagedChannel channel;
  final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
  StreamObserver<DiscoveryRequest> requests;
  final Recorder observed = new Recorder();

  @BeforeEach
  void start() throws Exception {
    Files.copy(Fixtures.path(Fixtures.BOOKINFO), dir.resolve("bookinfo.yaml"));
    Files.writeString(dir.resolve("workloads.yaml"), Fixtures.BOOKINFO_WORKLOADS);
    Files.copy(Fixtures.path(Fixtures.DR_ALL), dir.resolve("destination-rule-all.yaml"));
    Files.copy(Fixtures.path(Fixtures.VS_80_20), dir.resolve("virtual-service-reviews-80-20.yaml"));
    pilot = PilotLite.start(new PilotConfig(dir, "127.0.0.1", 0, MeshOptions.DEFAULTS, PilotConfig.DEFAULT_DEBOUNCE, PilotConfig.DEFAULT_RESCAN), st -> {}, observed);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", pilot.port()).usePlaintext().build();
    requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(new StreamObserver<>() {
      @Override
      public void onNext(DiscoveryResponse r) {
        responses.add(r);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
  }

  @AfterEach
  void stop() throws Exception {
    if (requests != null) {
      requests.onCompleted();
    }
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    pilot.close();
  }

  void send(ResourceType type, List<String> names, DiscoveryResponse acking) {
    DiscoveryRequest.Builder b = DiscoveryRequest.newBuilder()
        .setNode(Node.newBuilder().setId(NODE_ID).setCluster("client.default"))
        .setTypeUrl(type.typeUrl())
        .addAllResourceNames(names);
    if (acking != null) {
      b.setVersionInfo(acking.getVersionInfo()).setResponseNonce(acking.getNonce());
    }
    requests.onNext(b.build());
  }

  DiscoveryResponse next(ResourceType type) throws InterruptedException {
    DiscoveryResponse r = responses.poll(10, TimeUnit.SECONDS);
    assertThat(r).as("a %s response", type.shortName()).isNotNull();
    assertThat(r.getTypeUrl()).isEqualTo(type.typeUrl());
    return r;
  }

  static <T extends com.google.protobuf.Message> List<T> unpack(DiscoveryResponse r, Class<T> type) throws Exception {
    List<T> out = new ArrayList<>();
    for (com.google.protobuf.Any a : r.getResourcesList()) {
      out.add(a.unpack(type));
    }
    return out;
  }

  @Test
  void ads_cdsEdsLdsRds_istioShapedResourcesThenAPushOnChange() throws Exception {
    send(ResourceType.CLUSTER, List.of(), null);
    DiscoveryResponse cds = next(ResourceType.CLUSTER);
    List<Cluster> clusters = unpack(cds, Cluster.class);
    assertThat(clusters).extracting(Cluster::getName).contains(REVIEWS, "outbound|9080|v1|reviews.default.svc.cluster.local").hasSize(14);
    send(ResourceType.CLUSTER, List.of(), cds); // ACK

    List<String> edsNames = clusters.stream().map(c -> c.getEdsClusterConfig().getServiceName()).toList();
    send(ResourceType.ENDPOINT, edsNames, null);
    DiscoveryResponse eds = next(ResourceType.ENDPOINT);
    ClusterLoadAssignment reviews = unpack(eds, ClusterLoadAssignment.class).stream()
        .filter(c -> c.getClusterName().equals(REVIEWS)).findFirst().orElseThrow();
    assertThat(reviews.getEndpoints(0).getLbEndpointsCount()).isEqualTo(3);
    send(ResourceType.ENDPOINT, edsNames, eds);

    send(ResourceType.LISTENER, List.of(), null);
    DiscoveryResponse lds = next(ResourceType.LISTENER);
    Listener listener = unpack(lds, Listener.class).getFirst();
    assertThat(listener.getName()).isEqualTo("0.0.0.0_9080");
    String routeName = listener.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class).getRds().getRouteConfigName();
    send(ResourceType.LISTENER, List.of(), lds);

    send(ResourceType.ROUTE, List.of(routeName), null);
    DiscoveryResponse rds = next(ResourceType.ROUTE);
    RouteConfiguration route = unpack(rds, RouteConfiguration.class).getFirst();
    assertThat(route.getName()).isEqualTo("9080");
    assertThat(route.getVirtualHostsList()).filteredOn(v -> v.getName().equals("reviews.default.svc.cluster.local:9080")).singleElement()
        .satisfies(v -> assertThat(v.getRoutes(0).getRoute().getWeightedClusters().getClustersCount()).isEqualTo(2));
    send(ResourceType.ROUTE, List.of(routeName), rds);
    assertThat(pilot.connectedNodes()).containsExactly(NODE_ID);

    // an update: only clusters change, and only CDS is pushed again
    Files.copy(Fixtures.path(Fixtures.DR_REVIEWS), dir.resolve("destination-rule-reviews.yaml"));
    DiscoveryResponse pushed = next(ResourceType.CLUSTER);
    assertThat(pushed.getVersionInfo()).isNotEqualTo(cds.getVersionInfo());
    assertThat(unpack(pushed, Cluster.class)).filteredOn(c -> c.getName().equals(REVIEWS)).singleElement()
        .extracting(Cluster::getLbPolicy).isEqualTo(Cluster.LbPolicy.RANDOM);
    send(ResourceType.CLUSTER, List.of(), pushed);
    assertThat(responses.poll(500, TimeUnit.MILLISECONDS)).as("nothing else changed").isNull();
  }

  @Test
  void observer_seesTheStreamTheResponseItsAckAndANack() throws Exception {
    assertThat(observed.builds).containsExactly("published");
    send(ResourceType.CLUSTER, List.of(), null);
    DiscoveryResponse clusters = next(ResourceType.CLUSTER);
    send(ResourceType.CLUSTER, List.of(), clusters);
    await().atMost(Duration.ofSeconds(10)).until(() -> observed.events.contains("ack cluster"));
    assertThat(observed.ackLatencies).singleElement().satisfies(d -> assertThat(d).isPositive());

    // The same nonce again, now rejected: a NACK, and no second ACK for a nonce already answered.
    requests.onNext(DiscoveryRequest.newBuilder().setNode(Node.newBuilder().setId(NODE_ID))
        .setTypeUrl(ResourceType.CLUSTER.typeUrl()).setResponseNonce(clusters.getNonce())
        .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage("bad cluster")).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> observed.events.contains("nack cluster"));
    // (The cache answers a request that carries no version with the snapshot again.)
    assertThat(observed.events).startsWith("open", "response cluster", "ack cluster", "nack cluster");
    assertThat(observed.events.stream().filter(e -> e.startsWith("ack"))).hasSize(1);

    requests.onCompleted();
    requests = null;
    await().atMost(Duration.ofSeconds(10)).until(() -> observed.events.contains("close"));
  }

  @Test
  void shortType_mapsTheFourTypesAndNothingElse() {
    for (ResourceType t : ResourceType.values()) {
      assertThat(PilotLite.shortType(t.typeUrl())).isEqualTo(t.name().toLowerCase(java.util.Locale.ROOT));
    }
    assertThat(PilotLite.shortType("type.googleapis.com/evil.Label\"x")).isEqualTo("other");
  }

  /** What pilot-lite told its observer, in order. */
  static final class Recorder implements PilotObserver {
    final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<Duration> ackLatencies = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> builds = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void streamOpened() {
      events.add("open");
    }

    @Override
    public void streamClosed() {
      events.add("close");
    }

    @Override
    public void responseSent(String type) {
      events.add("response " + type);
    }

    @Override
    public void acked(String type, Duration sinceSent) {
      ackLatencies.add(sinceSent);
      events.add("ack " + type);
    }

    @Override
    public void nacked(String type) {
      events.add("nack " + type);
    }

    @Override
    public void configBuilt(Duration took, String outcome) {
      builds.add(outcome);
    }
  }
}
