package io.ax.xds.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.admin.v1.ApplyVServicesRequest;
import io.ax.admin.v1.ApplyVServicesResponse;
import io.ax.admin.v1.RejectedVService;
import io.ax.admin.v1.VService;
import io.ax.admin.v1.VServicesGrpc;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminDataplaneTest {
  @TempDir Path dir;

  private Server server;
  private EventLoopGroup serverLoop;

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      serverLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  /** A stand-in for the daemon's VServices.Apply that records requests and answers {@code answer}. */
  private static final class FakeVServices extends VServicesGrpc.VServicesImplBase {
    final List<ApplyVServicesRequest> requests = new CopyOnWriteArrayList<>();
    volatile ApplyVServicesResponse answer = ApplyVServicesResponse.getDefaultInstance();
    volatile Status failure;

    @Override
    public void apply(ApplyVServicesRequest request, StreamObserver<ApplyVServicesResponse> out) {
      requests.add(request);
      if (failure != null) {
        out.onError(failure.asRuntimeException());
        return;
      }
      out.onNext(answer);
      out.onCompleted();
    }
  }

  private FakeVServices serve(Path socket) throws Exception {
    FakeVServices fake = new FakeVServices();
    serverLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(serverLoop)
        .workerEventLoopGroup(serverLoop)
        .addService(fake)
        .build()
        .start();
    return fake;
  }

  @Test
  void apply_noDaemonAtTheSocketPath_failsWithOneLine() {
    Path socket = dir.resolve("admin.sock");
    try (AdminDataplane d = new AdminDataplane(socket, "xds-agent")) {
      assertThatThrownBy(() -> d.apply(List.of()))
          .isInstanceOf(DataplaneException.class)
          .hasMessage("daemon at " + socket + " is not reachable: no admin socket there (is 'ax daemon' running?)");
    }
  }

  @Test
  void apply_socketFileWithNobodyListening_failsWithOneLineNamingTheSocket() throws Exception {
    Path socket = Files.createFile(dir.resolve("admin.sock"));
    try (AdminDataplane d = new AdminDataplane(socket, "xds-agent")) {
      assertThatThrownBy(() -> d.apply(List.of()))
          .isInstanceOf(DataplaneException.class)
          .hasMessageStartingWith("daemon at " + socket + " is not reachable: ")
          .hasMessageNotContaining("\n");
    }
  }

  @Test
  void apply_daemonAnswers_sendsOwnerAndSetAndReturnsCountsAndRejections() throws Exception {
    Path socket = dir.resolve("admin.sock");
    FakeVServices fake = serve(socket);
    fake.answer = ApplyVServicesResponse.newBuilder().setCreated(1).setUnchanged(2).setDeleted(3)
        .addRejected(RejectedVService.newBuilder().setName("b-80").setReason("vIP 10.0.0.1:80 is\nserved by user vservice web")).build();
    List<VService> set = List.of(VService.newBuilder().setName("a-80").setIp("10.0.0.2").build(), VService.newBuilder().setName("b-80").setIp("10.0.0.1").build());

    try (AdminDataplane d = new AdminDataplane(socket, "xds-agent")) {
      ApplyResult r = d.apply(set);

      assertThat(r).isEqualTo(new ApplyResult(1, 0, 3, 2, List.of("b-80: vIP 10.0.0.1:80 is served by user vservice web")));
    }
    assertThat(fake.requests).singleElement().satisfies(req -> {
      assertThat(req.getOwner()).isEqualTo("xds-agent");
      assertThat(req.getVservicesList()).isEqualTo(set);
    });
  }

  @Test
  void apply_daemonRefusesThePush_failsWithOneLineWithItsReason() throws Exception {
    Path socket = dir.resolve("admin.sock");
    FakeVServices fake = serve(socket);
    fake.failure = Status.INVALID_ARGUMENT.withDescription("owner: must not be empty");

    try (AdminDataplane d = new AdminDataplane(socket, "xds-agent")) {
      assertThatThrownBy(() -> d.apply(List.of()))
          .isInstanceOf(DataplaneException.class)
          .hasMessage("daemon at " + socket + " refused the push: INVALID_ARGUMENT: owner: must not be empty");
    }
  }

  @Test
  void constructor_emptyOwner_isRefused() {
    assertThatThrownBy(() -> new AdminDataplane(dir.resolve("s"), "")).isInstanceOf(IllegalArgumentException.class).hasMessage("owner is empty");
  }
}
