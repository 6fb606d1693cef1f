package io.ax.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.admin.v1.ListVServicesRequest;
import io.ax.admin.v1.ListVServicesResponse;
import io.ax.admin.v1.VService;
import io.ax.admin.v1.VServicesGrpc;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin channel against a real gRPC server on a unix socket in a temporary directory. */
class AdminChannelTest {
  @TempDir Path dir;
  EventLoopGroup serverLoop;
  Server server;

  /** Answers List with {@code count} vservices whose names are {@code size} characters long. */
  private void serve(Path socket, int count, int size) throws Exception {
    serverLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(serverLoop)
        .workerEventLoopGroup(serverLoop)
        .addService(new VServicesGrpc.VServicesImplBase() {
          @Override
          public void list(ListVServicesRequest request, StreamObserver<ListVServicesResponse> out) {
            ListVServicesResponse.Builder r = ListVServicesResponse.newBuilder();
            for (int i = 0; i < count; i++) {
              r.addVservices(VService.newBuilder().setName(Integer.toString(i) + "x".repeat(size)));
            }
            out.onNext(r.build());
            out.onCompleted();
          }
        })
        .build()
        .start();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      serverLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  @Test
  void unix_serverOnTheSocket_callsReachIt() throws Exception {
    Path socket = dir.resolve("admin.sock");
    serve(socket, 2, 1);

    try (AdminChannel c = AdminChannel.unix(socket)) {
      ListVServicesResponse r = VServicesGrpc.newBlockingStub(c.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
          .list(ListVServicesRequest.getDefaultInstance());

      assertThat(r.getVservicesList()).extracting(VService::getName).containsExactly("0x", "1x");
    }
  }

  @Test
  void unix_noSocketYet_opensAndFailsOnlyAtTheCallAsUnavailable() {
    try (AdminChannel c = AdminChannel.unix(dir.resolve("none.sock"))) {
      assertThatThrownBy(() -> VServicesGrpc.newBlockingStub(c.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
              .list(ListVServicesRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }
  }

  @Test
  void unix_answerLargerThanTheLimit_refusedAndAcceptedWithALargerLimit() throws Exception {
    Path socket = dir.resolve("admin.sock");
    serve(socket, 5, 1024 * 1024); // about 5 MiB, above gRPC's 4 MiB default

    try (AdminChannel small = AdminChannel.unix(socket)) {
      assertThatThrownBy(() -> VServicesGrpc.newBlockingStub(small.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
              .list(ListVServicesRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    }
    try (AdminChannel large = AdminChannel.unix(socket, 16 * 1024 * 1024)) {
      assertThat(VServicesGrpc.newBlockingStub(large.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
              .list(ListVServicesRequest.getDefaultInstance()).getVservicesCount())
          .isEqualTo(5);
    }
  }

  @Test
  void close_twice_harmlessAndTheChannelIsShutDown() {
    AdminChannel c = AdminChannel.unix(dir.resolve("admin.sock"));

    c.close();
    c.close();

    assertThat(c.channel().isShutdown()).isTrue();
  }

  @Test
  void unix_nonPositiveLimit_refusedNamingIt() {
    assertThatThrownBy(() -> AdminChannel.unix(dir.resolve("admin.sock"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxInboundMessageSize 0");
  }
}
