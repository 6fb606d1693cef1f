package io.ax.it;

import io.ax.admin.v1.ApplyVServicesRequest;
import io.ax.admin.v1.ApplyVServicesResponse;
import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.VService;
import io.ax.admin.v1.VServicesGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A gRPC client on a real daemon's admin socket, as the xDS agent is one; helpers to build vservices. */
final class ItAdminClient implements AutoCloseable {
  private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private final ManagedChannel channel;

  ItAdminClient(AxProcess.Daemon daemon) {
    channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(daemon.adminSocket().toString()))
        .channelType(EpollDomainSocketChannel.class)
        .eventLoopGroup(loop)
        .usePlaintext()
        .maxInboundMessageSize(16 * 1024 * 1024)
        .build();
  }

  ApplyVServicesResponse apply(String owner, List<VService> set) {
    return VServicesGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS)
        .apply(ApplyVServicesRequest.newBuilder().setOwner(owner).addAllVservices(set).build());
  }

  static VService.Builder vs(String name, String ip, int port, LbType type, String... backends) {
    VService.Builder b = VService.newBuilder().setName(name).setIp(ip).setLbType(type).addPorts(PortMapping.newBuilder().setVport(port).setAppPort(port));
    for (String be : backends) {
      b.addBackends(Backend.newBuilder().setIp(be));
    }
    return b;
  }

  static Subset subset(String name, int weight, LbType type, String... backends) {
    Subset.Builder b = Subset.newBuilder().setName(name).setWeight(weight).setLbType(type);
    for (String be : backends) {
      b.addBackends(Backend.newBuilder().setIp(be));
    }
    return b.build();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
