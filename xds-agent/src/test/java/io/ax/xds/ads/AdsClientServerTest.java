package io.ax.xds.ads;

import static io.ax.xds.resource.EnvoyProtos.assignment;
import static io.ax.xds.resource.EnvoyProtos.edsCluster;
import static io.ax.xds.resource.EnvoyProtos.endpoint;
import static io.ax.xds.resource.EnvoyProtos.httpListener;
import static io.ax.xds.resource.EnvoyProtos.prefix;
import static io.ax.xds.resource.EnvoyProtos.routes;
import static io.ax.xds.resource.EnvoyProtos.toCluster;
import static io.ax.xds.resource.EnvoyProtos.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ax.xds.resource.LbPolicy;
import io.ax.xds.resource.ResourceType;
import io.ax.xds.translate.XdsSnapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ADS client against java-control-plane's real server, over real gRPC on localhost. */
class AdsClientServerTest {
  static final String REVIEWS = AdsStateTest.REVIEWS;
  static final String RATINGS = AdsStateTest.RATINGS;
  static final String CDS = ResourceType.CLUSTER.typeUrl();
  static final String EDS = ResourceType.ENDPOINT.typeUrl();
  static final String RDS = ResourceType.ROUTE.typeUrl();
  static final Duration WAIT = Duration.ofSeconds(10);

  TestPilot pilot;
  ManagedChannel channel;
  SerialScheduler scheduler;
  AdsClient client;
  final AtomicReference<XdsSnapshot> latest = new AtomicReference<>(XdsSnapshot.EMPTY);
  final AtomicInteger snapshots = new AtomicInteger();

  static ClusterLoadAssignment reviewsEndpoints(String... ips) {
    return assignment(REVIEWS, java.util.Arrays.stream(ips).map(ip -> endpoint(ip, 9080, HealthStatus.HEALTHY, 1))
        .toArray(io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint[]::new));
  }

  static final ClusterLoadAssignment RATINGS_ENDPOINTS = assignment(RATINGS, endpoint("10.1.1.1", 9080, HealthStatus.HEALTHY, 1));
  static final RouteConfiguration ROUTE_9080 = routes("9080", vhost("reviews.default.svc.cluster.local:9080",
      List.of("reviews.default.svc.cluster.local", "10.96.36.43"), toCluster(prefix("/"), REVIEWS)));

  @BeforeEach
  void start() throws Exception {
    pilot = TestPilot.plaintext();
    pilot.set("v1",
        List.of(edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM), edsCluster(RATINGS, Cluster.LbPolicy.ROUND_ROBIN)),
        List.of(reviewsEndpoints("10.1.0.1", "10.1.0.2", "10.1.0.3"), RATINGS_ENDPOINTS),
        List.of(httpListener(9080, "9080")),
        List.of(ROUTE_9080));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", pilot.port()).usePlaintext().build();
    scheduler = SerialScheduler.singleThread("test-ads");
    AdsConfig config = AdsConfig.of(AdsStateTest.NODE)
        .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(400), 2.0, 0.2))
        .withRepeatedNack(new Backoff(Duration.ofMillis(100), Duration.ofMillis(400), 2.0, 0.2));
    client = new AdsClient(channel, Optional.empty(), config, ResourceDecoder.standard(), s -> {
      latest.set(s);
      snapshots.incrementAndGet();
    }, scheduler, new SplittableRandom(7));
    client.start();
    await().atMost(WAIT).until(() -> latest.get().endpoints().size() == 2 && latest.get().routes().size() == 1);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    channel.shutdownNow();
    scheduler.close();
    pilot.close();
  }

  /** The requests that ACK {@code version} of a type: that version, a nonce, no error. */
  List<DiscoveryRequest> acks(String typeUrl, String version) {
    return pilot.requestsOf(typeUrl).stream()
        .filter(r -> r.getVersionInfo().equals(version) && !r.getResponseNonce().isEmpty() && !r.hasErrorDetail()).toList();
  }

  @Test
  void start_realServer_acksEveryTypeAndFollowsClustersAndListeners() {
    XdsSnapshot s = latest.get();
    assertThat(s.clusters()).containsOnlyKeys(REVIEWS, RATINGS);
    assertThat(s.endpoints().get(REVIEWS).endpoints()).hasSize(3);
    assertThat(s.listeners()).containsOnlyKeys("0.0.0.0_9080");
    assertThat(s.routes()).containsOnlyKeys("9080");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(acks(CDS, "v1")).isNotEmpty();
      assertThat(acks(ResourceType.LISTENER.typeUrl(), "v1")).isNotEmpty();
      assertThat(acks(EDS, "v1")).isNotEmpty();
      assertThat(acks(RDS, "v1")).isNotEmpty();
    });
    // The first request of each stream is the wildcard CDS request with the node.
    DiscoveryRequest first = pilot.requests.getFirst();
    assertThat(first.getTypeUrl()).isEqualTo(CDS);
    assertThat(first.getNode().getId()).isEqualTo(AdsStateTest.NODE.getId());
    assertThat(first.getResourceNamesList()).isEmpty();
    assertThat(pilot.requestsOf(EDS).getFirst().getResourceNamesList()).containsExactlyInAnyOrder(REVIEWS, RATINGS);
    assertThat(pilot.requestsOf(RDS).getFirst().getResourceNamesList()).containsExactly("9080");
    assertThat(client.stats().nacks()).isZero();
  }

  @Test
  void invalidCluster_nacksWithLastAcceptedVersionAndKeepsLastGood() {
    pilot.set("v2",
        List.of(AdsStateTest.invalidCluster(REVIEWS), edsCluster(RATINGS, Cluster.LbPolicy.LEAST_REQUEST)),
        List.of(reviewsEndpoints("10.1.0.1", "10.1.0.2", "10.1.0.3"), RATINGS_ENDPOINTS),
        List.of(httpListener(9080, "9080")),
        List.of(ROUTE_9080));

    await().atMost(WAIT).untilAsserted(() -> assertThat(pilot.requestsOf(CDS)).anySatisfy(r -> {
      assertThat(r.hasErrorDetail()).isTrue();
      assertThat(r.getVersionInfo()).isEqualTo("v1");
      assertThat(r.getResponseNonce()).isNotEmpty();
      assertThat(r.getErrorDetail().getCode()).isEqualTo(com.google.rpc.Code.INVALID_ARGUMENT_VALUE);
      assertThat(r.getErrorDetail().getMessage()).contains(REVIEWS);
    }));
    // The valid cluster of the response is taken; the invalid one keeps its last good value.
    await().atMost(WAIT).until(() -> latest.get().clusters().get(RATINGS).lbPolicy() == LbPolicy.LEAST_REQUEST);
    assertThat(latest.get().clusters().get(REVIEWS).lbPolicy()).isEqualTo(LbPolicy.RANDOM);
    assertThat(latest.get().endpoints()).containsKey(REVIEWS);
    assertThat(client.stats().nacks()).isPositive();

    // The server resends the NACKed version to a NACK that carries an older one; the client
    // answers those after a backoff, and the next valid version is accepted.
    pilot.set("v3",
        List.of(edsCluster(REVIEWS, Cluster.LbPolicy.MAGLEV), edsCluster(RATINGS, Cluster.LbPolicy.LEAST_REQUEST)),
        List.of(reviewsEndpoints("10.1.0.1", "10.1.0.2", "10.1.0.3"), RATINGS_ENDPOINTS),
        List.of(httpListener(9080, "9080")),
        List.of(ROUTE_9080));
    await().atMost(WAIT).until(() -> latest.get().clusters().get(REVIEWS).lbPolicy() == LbPolicy.MAGLEV);
    await().atMost(WAIT).untilAsserted(() -> assertThat(acks(CDS, "v3")).isNotEmpty());
  }

  @Test
  void update_newEndpoints_reachTheListener() {
    pilot.set("v2",
        List.of(edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM), edsCluster(RATINGS, Cluster.LbPolicy.ROUND_ROBIN)),
        List.of(reviewsEndpoints("10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4"), RATINGS_ENDPOINTS),
        List.of(httpListener(9080, "9080")),
        List.of(ROUTE_9080));

    await().atMost(WAIT).until(() -> latest.get().endpoints().get(REVIEWS).endpoints().size() == 4);
    await().atMost(WAIT).untilAsserted(() -> assertThat(acks(EDS, "v2")).isNotEmpty());
  }

  @Test
  void removal_clusterGone_dropsItsEndpointsAndNarrowsEds() {
    pilot.set("v2",
        List.of(edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM)),
        List.of(reviewsEndpoints("10.1.0.1", "10.1.0.2", "10.1.0.3")),
        List.of(httpListener(9080, "9080")),
        List.of(ROUTE_9080));

    await().atMost(WAIT).until(() -> !latest.get().clusters().containsKey(RATINGS));
    assertThat(latest.get().endpoints()).containsOnlyKeys(REVIEWS);
    await().atMost(WAIT).untilAsserted(() -> assertThat(pilot.requestsOf(EDS).getLast().getResourceNamesList()).containsExactly(REVIEWS));
  }

  @Test
  void serverRestart_reconnectsWithBackoffResubscribesAndKeepsStateMeanwhile() throws Exception {
    XdsSnapshot before = latest.get();
    long streamsBefore = client.stats().streams();
    int port = pilot.port();

    pilot.stop();
    // Refused connections: the client keeps retrying, and keeps what it had.
    await().atMost(WAIT).until(() -> client.stats().streams() >= streamsBefore + 2);
    assertThat(latest.get()).isEqualTo(before);

    pilot.requests.clear();
    pilot.forgetState();
    pilot.set("r1",
        List.of(edsCluster(REVIEWS, Cluster.LbPolicy.RING_HASH)),
        List.of(reviewsEndpoints("10.1.0.9")),
        List.of(httpListener(9080, "9080")),
        List.of(ROUTE_9080));
    pilot.start(port);

    // It resubscribes with the versions it had accepted, then takes the new state.
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(pilot.requestsOf(CDS)).anySatisfy(r -> {
        assertThat(r.getVersionInfo()).isEqualTo("v1");
        assertThat(r.getResponseNonce()).isEmpty();
      });
      assertThat(pilot.requestsOf(EDS)).anySatisfy(r -> {
        assertThat(r.getVersionInfo()).isEqualTo("v1");
        assertThat(r.getResourceNamesList()).containsExactlyInAnyOrder(REVIEWS, RATINGS);
      });
    });
    await().atMost(WAIT).until(() -> latest.get().clusters().keySet().equals(java.util.Set.of(REVIEWS))
        && latest.get().endpoints().get(REVIEWS).endpoints().size() == 1);
    assertThat(latest.get().clusters().get(REVIEWS).lbPolicy()).isEqualTo(LbPolicy.RING_HASH);
  }
}
