package io.ax.core.admin;

import io.ax.core.model.NodeInfo;
import io.ax.core.model.ProxyInfo;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link AdminServices} served by a real gRPC server inside the test JVM, over Netty's in-memory
 * {@code local} transport: the real HTTP/2 framing and flow control, no sockets. (grpc-java's
 * {@code InProcessServerBuilder} lives in the grpc-inprocess artifact, which this build does not
 * have.)
 */
final class LocalAdminServer implements AutoCloseable {
  static {
    // gRPC asks every child channel for SO_KEEPALIVE, which local channels do not have: harmless
    // (the daemon's logback.xml quiets the same warning for unix sockets).
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.netty.bootstrap.ServerBootstrap"))
        .setLevel(ch.qos.logback.classic.Level.ERROR);
  }

  private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
  private final Server server;
  final ManagedChannel channel;

  LocalAdminServer(DataplaneStore store, Function<DataplaneState, Map<String, NodeInfo>> nodes, Supplier<Map<String, ProxyInfo>> proxies) {
    this(store, nodes, proxies, 0);
  }

  /**
   * @param clientWindow the client's HTTP/2 flow control window in bytes, fixed (no automatic
   *     growth); 0: grpc's default
   */
  LocalAdminServer(
      DataplaneStore store, Function<DataplaneState, Map<String, NodeInfo>> nodes, Supplier<Map<String, ProxyInfo>> proxies, int clientWindow) {
    LocalAddress address = new LocalAddress("admin-test-" + System.nanoTime());
    NettyServerBuilder sb = NettyServerBuilder.forAddress(address)
        .channelType(LocalServerChannel.class)
        .bossEventLoopGroup(loop)
        .workerEventLoopGroup(loop)
        .maxInboundMessageSize(AdminServer.MAX_INBOUND_MESSAGE);
    new AdminServices(store, nodes, proxies).all().forEach(sb::addService);
    try {
      server = sb.build().start();
    } catch (IOException e) {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new UncheckedIOException(e);
    }
    NettyChannelBuilder cb = NettyChannelBuilder.forAddress(address)
        .channelType(LocalChannel.class)
        .eventLoopGroup(loop)
        .maxInboundMessageSize(AdminServer.MAX_INBOUND_MESSAGE)
        .usePlaintext();
    if (clientWindow > 0) {
      cb.flowControlWindow(clientWindow);
    }
    channel = cb.build();
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
      server.awaitTermination(5, TimeUnit.SECONDS);
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
