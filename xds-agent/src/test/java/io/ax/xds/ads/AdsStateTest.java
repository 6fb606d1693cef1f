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

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import io.ax.xds.resource.ClusterResource;
import io.ax.xds.resource.LbPolicy;
import io.ax.xds.resource.ResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The protocol state machine with the real parser on Istio-shaped Envoy protos. */
class AdsStateTest {
  static final Node NODE = Node.newBuilder().setId("sidecar~10.0.0.7~test.default~default.svc.cluster.local").build();
  static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";
  static final String RATINGS = "outbound|9080||ratings.default.svc.cluster.local";

  final AdsState state = new AdsState(NODE, ResourceDecoder.standard(), 1000);

  static DiscoveryResponse response(ResourceType type, String version, String nonce, Message... resources) {
    DiscoveryResponse.Builder b = DiscoveryResponse.newBuilder().setTypeUrl(type.typeUrl()).setVersionInfo(version).setNonce(nonce);
    for (Message m : resources) {
      b.addResources(Any.pack(m));
    }
    return b.build();
  }

  /** An EDS cluster whose endpoints come from a non-ADS source: the parser rejects it. */
  static Cluster invalidCluster(String name) {
    return edsCluster(name, Cluster.LbPolicy.ROUND_ROBIN).toBuilder()
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder()
            .setEdsConfig(ConfigSource.newBuilder().setApiConfigSource(ApiConfigSource.newBuilder().setApiType(ApiConfigSource.ApiType.GRPC))))
        .build();
  }

  @Test
  void onStreamStart_fresh_asksForClustersAndListenersByWildcard() {
    List<DiscoveryRequest> requests = state.onStreamStart();

    assertThat(requests).extracting(DiscoveryRequest::getTypeUrl).containsExactly(ResourceType.CLUSTER.typeUrl(), ResourceType.LISTENER.typeUrl());
    assertThat(requests).allSatisfy(r -> {
      assertThat(r.getNode()).isEqualTo(NODE);
      assertThat(r.getResourceNamesList()).isEmpty();
      assertThat(r.getVersionInfo()).isEmpty();
      assertThat(r.getResponseNonce()).isEmpty();
    });
  }

  @Test
  void onResponse_validClusters_acksVersionAndNonceAndSubscribesEds() {
    state.onStreamStart();

    AdsState.Outcome o = state.onResponse(response(ResourceType.CLUSTER, "v1", "n1",
        edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM), edsCluster(RATINGS, Cluster.LbPolicy.ROUND_ROBIN))).orElseThrow();

    assertThat(o.nack()).isFalse();
    assertThat(o.reply().getVersionInfo()).isEqualTo("v1");
    assertThat(o.reply().getResponseNonce()).isEqualTo("n1");
    assertThat(o.reply().hasErrorDetail()).isFalse();
    assertThat(o.changed()).isTrue();
    assertThat(o.subscriptionUpdates()).singleElement().satisfies(r -> {
      assertThat(r.getTypeUrl()).isEqualTo(ResourceType.ENDPOINT.typeUrl());
      assertThat(r.getResourceNamesList()).containsExactly(RATINGS, REVIEWS);
      assertThat(r.getResponseNonce()).isEmpty();
    });
    assertThat(state.snapshot().clusters().get(REVIEWS).lbPolicy()).isEqualTo(LbPolicy.RANDOM);
  }

  @Test
  void onResponse_invalidCluster_nacksWithLastAcceptedVersionAndKeepsLastGood() {
    state.onStreamStart();
    state.onResponse(response(ResourceType.CLUSTER, "v1", "n1", edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM)));
    ClusterResource good = state.snapshot().clusters().get(REVIEWS);

    AdsState.Outcome o = state.onResponse(response(ResourceType.CLUSTER, "v2", "n2",
        invalidCluster(REVIEWS), edsCluster(RATINGS, Cluster.LbPolicy.ROUND_ROBIN))).orElseThrow();

    assertThat(o.nack()).isTrue();
    assertThat(o.reply().getVersionInfo()).isEqualTo("v1");
    assertThat(o.reply().getResponseNonce()).isEqualTo("n2");
    assertThat(o.reply().getErrorDetail().getCode()).isEqualTo(Code.INVALID_ARGUMENT_VALUE);
    assertThat(o.reply().getErrorDetail().getMessage()).contains(REVIEWS).contains("ADS");
    assertThat(state.snapshot().clusters()).containsEntry(REVIEWS, good).containsKey(RATINGS);
    assertThat(state.acceptedVersion(ResourceType.CLUSTER)).isEqualTo("v1");
    assertThat(o.repeatedNacks()).isZero();
  }

  @Test
  void onResponse_sameInvalidVersionAgain_countsRepeatedNacks() {
    state.onStreamStart();
    state.onResponse(response(ResourceType.CLUSTER, "v2", "n1", invalidCluster(REVIEWS)));

    AdsState.Outcome again = state.onResponse(response(ResourceType.CLUSTER, "v2", "n2", invalidCluster(REVIEWS))).orElseThrow();
    AdsState.Outcome third = state.onResponse(response(ResourceType.CLUSTER, "v2", "n3", invalidCluster(REVIEWS))).orElseThrow();
    AdsState.Outcome fixed = state.onResponse(response(ResourceType.CLUSTER, "v3", "n4", edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM))).orElseThrow();

    assertThat(again.repeatedNacks()).isEqualTo(1);
    assertThat(third.repeatedNacks()).isEqualTo(2);
    assertThat(fixed.nack()).isFalse();
    assertThat(fixed.reply().getVersionInfo()).isEqualTo("v3");
  }

  @Test
  void onResponse_clusterRemoved_dropsItsEndpointsAndNarrowsEds() {
    state.onStreamStart();
    state.onResponse(response(ResourceType.CLUSTER, "v1", "n1", edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM), edsCluster(RATINGS, Cluster.LbPolicy.RANDOM)));
    state.onResponse(response(ResourceType.ENDPOINT, "e1", "n2",
        assignment(REVIEWS, endpoint("10.1.0.1", 9080, HealthStatus.HEALTHY, 1)), assignment(RATINGS, endpoint("10.1.0.2", 9080, HealthStatus.HEALTHY, 1))));

    AdsState.Outcome o = state.onResponse(response(ResourceType.CLUSTER, "v2", "n3", edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM))).orElseThrow();

    assertThat(o.removed()).isEqualTo(2); // the cluster and its endpoints
    assertThat(state.snapshot().clusters()).containsOnlyKeys(REVIEWS);
    assertThat(state.snapshot().endpoints()).containsOnlyKeys(REVIEWS);
    assertThat(o.subscriptionUpdates()).singleElement().satisfies(r -> {
      assertThat(r.getResourceNamesList()).containsExactly(REVIEWS);
      assertThat(r.getVersionInfo()).isEqualTo("e1");
      assertThat(r.getResponseNonce()).isEqualTo("n2");
    });
  }

  @Test
  void onResponse_endpointsNotSubscribed_areIgnored() {
    state.onStreamStart();
    state.onResponse(response(ResourceType.CLUSTER, "v1", "n1", edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM)));

    AdsState.Outcome o = state.onResponse(response(ResourceType.ENDPOINT, "e1", "n2",
        assignment(REVIEWS, endpoint("10.1.0.1", 9080, HealthStatus.HEALTHY, 1)), assignment(RATINGS, endpoint("10.1.0.2", 9080, HealthStatus.HEALTHY, 1)))).orElseThrow();

    assertThat(o.ignored()).isEqualTo(1);
    assertThat(o.nack()).isFalse();
    assertThat(state.snapshot().endpoints()).containsOnlyKeys(REVIEWS);
  }

  @Test
  void onResponse_endpointsAbsentFromResponse_areKeptUntilTheirClusterGoes() {
    state.onStreamStart();
    state.onResponse(response(ResourceType.CLUSTER, "v1", "n1", edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM), edsCluster(RATINGS, Cluster.LbPolicy.RANDOM)));
    state.onResponse(response(ResourceType.ENDPOINT, "e1", "n2", assignment(REVIEWS, endpoint("10.1.0.1", 9080, HealthStatus.HEALTHY, 1))));

    state.onResponse(response(ResourceType.ENDPOINT, "e2", "n3", assignment(RATINGS, endpoint("10.1.0.2", 9080, HealthStatus.HEALTHY, 1))));

    assertThat(state.snapshot().endpoints()).containsOnlyKeys(REVIEWS, RATINGS);
  }

  @Test
  void onResponse_listenerWithRds_subscribesRoutesAndDropsThemWithTheListener() {
    state.onStreamStart();
    AdsState.Outcome lds = state.onResponse(response(ResourceType.LISTENER, "l1", "n1", httpListener(9080, "9080"))).orElseThrow();
    state.onResponse(response(ResourceType.ROUTE, "r1", "n2", routes("9080", vhost("reviews.default.svc.cluster.local:9080",
        List.of("reviews.default.svc.cluster.local", "10.96.36.43"), toCluster(prefix("/"), REVIEWS)))));

    AdsState.Outcome empty = state.onResponse(response(ResourceType.LISTENER, "l2", "n3")).orElseThrow();

    assertThat(lds.subscriptionUpdates()).singleElement().satisfies(r -> assertThat(r.getResourceNamesList()).containsExactly("9080"));
    assertThat(state.snapshot().routes()).isEmpty();
    assertThat(state.snapshot().listeners()).isEmpty();
    // Unsubscribing says so with an empty list, since RDS had been asked for on this stream.
    assertThat(empty.subscriptionUpdates()).singleElement().satisfies(r -> {
      assertThat(r.getTypeUrl()).isEqualTo(ResourceType.ROUTE.typeUrl());
      assertThat(r.getResourceNamesList()).isEmpty();
    });
  }

  @Test
  void onResponse_invalidResourceWithoutName_removesNothing() {
    state.onStreamStart();
    state.onResponse(response(ResourceType.CLUSTER, "v1", "n1", edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM)));
    DiscoveryResponse garbage = DiscoveryResponse.newBuilder().setTypeUrl(ResourceType.CLUSTER.typeUrl()).setVersionInfo("v2").setNonce("n2")
        .addResources(Any.newBuilder().setTypeUrl(ResourceType.CLUSTER.typeUrl()).setValue(com.google.protobuf.ByteString.copyFrom(new byte[] {(byte) 0xff, 0x01})))
        .build();

    AdsState.Outcome o = state.onResponse(garbage).orElseThrow();

    assertThat(o.nack()).isTrue();
    assertThat(state.snapshot().clusters()).containsOnlyKeys(REVIEWS);
  }

  @Test
  void onResponse_tooManyResources_nacksWholeResponse() {
    AdsState small = new AdsState(NODE, ResourceDecoder.standard(), 1);
    small.onStreamStart();

    AdsState.Outcome o = small.onResponse(response(ResourceType.CLUSTER, "v1", "n1",
        edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM), edsCluster(RATINGS, Cluster.LbPolicy.RANDOM))).orElseThrow();

    assertThat(o.nack()).isTrue();
    assertThat(o.reply().getErrorDetail().getMessage()).contains("2 resources").contains("limit of 1");
    assertThat(small.snapshot().clusters()).isEmpty();
  }

  @Test
  void onResponse_duplicateName_rejectsBothCopies() {
    state.onStreamStart();

    AdsState.Outcome o = state.onResponse(response(ResourceType.CLUSTER, "v1", "n1",
        edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM), edsCluster(REVIEWS, Cluster.LbPolicy.ROUND_ROBIN))).orElseThrow();

    assertThat(o.nack()).isTrue();
    assertThat(o.reply().getErrorDetail().getMessage()).contains("more than once");
    assertThat(state.snapshot().clusters()).isEmpty();
  }

  @Test
  void onResponse_decoderThrowsUnchecked_nacksInsteadOfFailing() {
    AdsState broken = new AdsState(NODE, (type, any) -> {
      throw new UnsupportedOperationException("not built");
    }, 10);
    broken.onStreamStart();

    AdsState.Outcome o = broken.onResponse(response(ResourceType.CLUSTER, "v1", "n1", edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM))).orElseThrow();

    assertThat(o.nack()).isTrue();
    assertThat(o.reply().getErrorDetail().getMessage()).contains("not built");
  }

  @Test
  void onResponse_unknownType_isLeftToTheCaller() {
    state.onStreamStart();

    assertThat(state.onResponse(DiscoveryResponse.newBuilder().setTypeUrl("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret").build())).isEmpty();
  }

  @Test
  void onStreamStart_afterAcceptedState_resubscribesWithLastVersionsAndNoNonce() {
    state.onStreamStart();
    state.onResponse(response(ResourceType.CLUSTER, "v1", "n1", edsCluster(REVIEWS, Cluster.LbPolicy.RANDOM)));
    state.onResponse(response(ResourceType.ENDPOINT, "e1", "n2", assignment(REVIEWS, endpoint("10.1.0.1", 9080, HealthStatus.HEALTHY, 1))));

    List<DiscoveryRequest> again = state.onStreamStart();

    assertThat(again).extracting(DiscoveryRequest::getTypeUrl)
        .containsExactly(ResourceType.CLUSTER.typeUrl(), ResourceType.LISTENER.typeUrl(), ResourceType.ENDPOINT.typeUrl());
    assertThat(again).extracting(DiscoveryRequest::getVersionInfo).containsExactly("v1", "", "e1");
    assertThat(again).extracting(DiscoveryRequest::getResponseNonce).containsOnly("");
    assertThat(again.get(2).getResourceNamesList()).containsExactly(REVIEWS);
    assertThat(state.subscription(ResourceType.ENDPOINT)).isEqualTo(Set.of(REVIEWS));
  }

  @Test
  void errorDetail_manyReasons_isBounded() {
    state.onStreamStart();
    Message[] bad = new Message[AdsState.MAX_REASONS_PER_NACK + 5];
    for (int i = 0; i < bad.length; i++) {
      bad[i] = invalidCluster("outbound|9080||s" + i + ".default.svc.cluster.local");
    }

    AdsState.Outcome o = state.onResponse(response(ResourceType.CLUSTER, "v1", "n1", bad)).orElseThrow();

    assertThat(o.errors()).hasSize(bad.length);
    assertThat(o.reply().getErrorDetail().getMessage()).endsWith("and 5 more");
  }
}
