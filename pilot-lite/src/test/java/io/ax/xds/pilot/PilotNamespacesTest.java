package io.ax.xds.pilot;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.ax.xds.pilot.mesh.MeshOptions;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each node gets the view of its namespace (node metadata NAMESPACE), as istiod scopes exportTo. */
class PilotNamespacesTest {
  private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  private static final String RATINGS = "outbound|9080||ratings.shop.svc.cluster.local";

  @TempDir Path dir;
  PilotLite pilot;
  ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("shop.yaml"), """
        apiVersion: v1
        kind: Service
        metadata:
          name: ratings
          namespace: shop
          annotations:
            networking.istio.io/exportTo: "."
        spec:
          ports:
          - name: http
            port: 9080
        """);
    pilot = PilotLite.start(new PilotConfig(dir, "127.0.0.1", 0, MeshOptions.DEFAULTS, PilotConfig.DEFAULT_DEBOUNCE, PilotConfig.DEFAULT_RESCAN));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", pilot.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    pilot.close();
  }

  /** The clusters a node of {@code namespace} is sent first. */
  private List<String> clustersFor(String namespace) throws Exception {
    BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
    StreamObserver<DiscoveryRequest> requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(new StreamObserver<>() {
      @Override
      public void onNext(DiscoveryResponse r) {
        responses.add(r);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
    Struct metadata = Struct.newBuilder().putFields("NAMESPACE", Value.newBuilder().setStringValue(namespace).build()).build();
    requests.onNext(DiscoveryRequest.newBuilder()
        .setNode(Node.newBuilder().setId("sidecar~10.244.0.9~client." + namespace + "~" + namespace + ".svc.cluster.local").setMetadata(metadata))
        .setTypeUrl(CDS)
        .build());
    DiscoveryResponse r = responses.poll(10, TimeUnit.SECONDS);
    requests.onCompleted();
    assertThat(r).as("a CDS response for a node of " + namespace).isNotNull();
    return r.getResourcesList().stream().map(a -> {
      try {
        return a.unpack(Cluster.class).getName();
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    }).toList();
  }

  @Test
  void exportToDot_servedToItsOwnNamespaceOnly() throws Exception {
    assertThat(clustersFor("shop")).contains(RATINGS);
    assertThat(clustersFor("default")).doesNotContain(RATINGS);
    assertThat(clustersFor("other")).doesNotContain(RATINGS);
    assertThat(pilot.snapshot("shop")).isPresent();
  }
}
