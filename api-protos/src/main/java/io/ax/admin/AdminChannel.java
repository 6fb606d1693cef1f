package io.ax.admin;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A plaintext gRPC channel to the daemon's admin API: over its unix socket (the usual way, with
 * the one epoll event loop that such a channel needs), or over TCP ({@code ax daemon
 * --admin-port}). Every client of the admin API (the CLI, the xDS agent, the tests and the
 * benchmarks) opens its channel here, so they all speak to the socket the same way.
 *
 * <p>Opening does not connect: gRPC connects on the first call and again after the daemon
 * restarts. {@link #close} shuts the channel down at once, waits up to two seconds for it, and
 * stops the event loop; closing twice is harmless. Thread-safe: the channel is, and the object
 * holds nothing else.
 */
public final class AdminChannel implements AutoCloseable {
  /** gRPC's own limit on a received message, for clients that receive only small answers. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE = 4 * 1024 * 1024;

  private static final long CLOSE_WAIT_SECONDS = 2;

  private final ManagedChannel channel;
  private final Optional<EventLoopGroup> loop;

  private AdminChannel(ManagedChannel channel, Optional<EventLoopGroup> loop) {
    this.channel = channel;
    this.loop = loop;
  }

  /** A channel over the unix socket at {@code socket}, receiving messages up to gRPC's default size. */
  public static AdminChannel unix(Path socket) {
    return unix(socket, DEFAULT_MAX_INBOUND_MESSAGE);
  }

  /**
   * A channel over the unix socket at {@code socket}.
   *
   * @param maxInboundMessageSize the largest answer accepted, in bytes (a list of 10,000
   *     vservices is larger than gRPC's 4 MiB default)
   */
  public static AdminChannel unix(Path socket, int maxInboundMessageSize) {
    Objects.requireNonNull(socket, "socket");
    checkSize(maxInboundMessageSize);
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollDomainSocketChannel.class)
        .eventLoopGroup(loop)
        .usePlaintext()
        .maxInboundMessageSize(maxInboundMessageSize)
        .build();
    return new AdminChannel(channel, Optional.of(loop));
  }

  /**
   * A channel to {@code host:port}, on gRPC's shared event loop.
   *
   * @throws IllegalArgumentException for a port outside 0-65535 (as {@link java.net.InetSocketAddress})
   */
  public static AdminChannel tcp(String host, int port, int maxInboundMessageSize) {
    Objects.requireNonNull(host, "host");
    checkSize(maxInboundMessageSize);
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, port)
        .usePlaintext()
        .maxInboundMessageSize(maxInboundMessageSize)
        .build();
    return new AdminChannel(channel, Optional.empty());
  }

  private static void checkSize(int maxInboundMessageSize) {
    if (maxInboundMessageSize <= 0) {
      throw new IllegalArgumentException("maxInboundMessageSize " + maxInboundMessageSize + " is not positive");
    }
  }

  /** The channel, for stubs ({@code VServicesGrpc.newBlockingStub(c.channel())}). */
  public ManagedChannel channel() {
    return channel;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.ifPresent(l -> l.shutdownGracefully(0, 1, TimeUnit.SECONDS));
  }
}
