package io.ax.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.admin.v1.Decision;
import io.ax.admin.v1.DecisionsGrpc;
import io.ax.admin.v1.ListDecisionsRequest;
import io.ax.admin.v1.WatchDecisionsRequest;
import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.ConnectDecision.Refuse.Cause;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.metrics.DecisionLog;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin API's Decisions over a real gRPC server (Netty's in-memory transport). */
class DecisionsServiceTest {
  private static final Inet4Endpoint VIP = Endpoints.parse("vip", "10.96.0.1:80");
  private static final Inet4Endpoint A = Endpoints.parse("a", "192.168.1.10:40000");
  private static final DataplaneState MESH = DataplaneState.EMPTY
      .withApp(new App(new AppId("0000000a"), "shop", "n1", "c", Ipv4.parse("ip", "10.0.0.1"), "user", Labels.DEFAULT, 1));

  private final DecisionLog log = new DecisionLog(() -> MESH, () -> 1_700_000_000_123_456L);
  private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    LocalAddress address = new LocalAddress("decisions-test-" + System.nanoTime());
    server = NettyServerBuilder.forAddress(address).channelType(LocalServerChannel.class).bossEventLoopGroup(loop).workerEventLoopGroup(loop)
        .addService(new DecisionsService(log)).build().start();
    channel = NettyChannelBuilder.forAddress(address).channelType(LocalChannel.class).eventLoopGroup(loop).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void list_recentDecisions_asMessages() {
    log.connectEnded("0000000a", VIP, new ConnectDecision.Refuse(Errno.ECONNREFUSED, "app 0000000a shares no label with vservice db", Cause.ACCESS), 0, Errno.ECONNREFUSED);

    List<Decision> listed = DecisionsGrpc.newBlockingStub(channel).list(ListDecisionsRequest.getDefaultInstance()).getDecisionsList();

    assertThat(listed).containsExactly(Decision.newBuilder()
        .setTimeUnixMicros(1_700_000_000_123_456L)
        .setAppId("0000000a")
        .setApp("shop")
        .setDestination(io.ax.admin.v1.Endpoint.newBuilder().setIp("10.96.0.1").setPort(80))
        .setDestinationName("unknown")
        .setOutcome("refused_by_acl")
        .setBackendName("none")
        .setReason("app 0000000a shares no label with vservice db")
        .setError("ECONNREFUSED (111)")
        .build());
  }

  @Test
  void watch_recentThenLive_untilCancelled() throws Exception {
    log.connectEnded("0000000a", VIP, new ConnectDecision.Targets("10.96.0.1:80", List.of(A)), 1, 0);
    Context.CancellableContext ctx = Context.current().withCancellation();
    try {
      Iterator<Decision> stream = ctx.call(() -> DecisionsGrpc.newBlockingStub(channel).watch(WatchDecisionsRequest.newBuilder().setApp("shop").build()));
      assertThat(stream.next().getOutcome()).isEqualTo("connected");

      log.connectEnded("0000000a", VIP, new ConnectDecision.Targets("10.96.0.1:80", List.of(A)), 1, Errno.ECONNREFUSED);
      Decision live = stream.next();

      assertThat(live.getOutcome()).isEqualTo("refused_by_backend");
      assertThat(live.getBackend().getPort()).isEqualTo(40000);
      assertThat(live.getDialed()).isEqualTo(1);
    } finally {
      ctx.cancel(null);
    }
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> log.watchers() == 0);
  }
}
