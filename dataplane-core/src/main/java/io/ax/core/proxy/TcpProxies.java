package io.ax.core.proxy;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.net.Ipv4;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's TCP proxies: each listener carries every connection it accepts to a backend that
 * its {@link Route} names at that moment, trying the next one when a backend refuses or does not
 * answer within the connect timeout. Then the bytes are moved both ways until both sides have
 * finished: an end of stream on one side becomes a half-close on the other ({@code
 * shutdown(SHUT_WR)}), so request/response protocols that close their sending side keep working.
 * A slow receiver stops the reading of its sender (write watermarks), so memory stays bounded by
 * the watermarks per connection and {@link ProxyConfig#maxConnections} connections in all.
 *
 * <p>All listeners share one epoll event loop (NIO where epoll is missing); a connection and its
 * backend connection live on the same loop thread, so a relay never takes a lock.
 *
 * <p>Federation gateways speak the PROXY protocol (version 2, HAProxy's) to each other: a listener
 * may start every backend connection with a header naming the original client and the service it
 * asked for ({@link #listen(Inet4Endpoint, Route, Inet4Endpoint)}), and a listener may read that
 * header from each client before it routes it ({@link #listenForHeader}).
 */
public final class TcpProxies implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TcpProxies.class);

  /** What the proxies have done since they started. */
  public record Stats(long accepted, long active, long overBudget, long noBackend, long failovers, long backendsUnreachable) {}

  /** One listening socket; closing it stops new connections, and those open go on. */
  public static final class Listener implements AutoCloseable {
    private final Channel server;
    private final Inet4Endpoint address;

    private Listener(Channel server, Inet4Endpoint address) {
      this.server = server;
      this.address = address;
    }

    public Inet4Endpoint address() {
      return address;
    }

    @Override
    public void close() {
      server.close().awaitUninterruptibly();
    }
  }

  /** The listening address could not be bound; the message is one line for the log. */
  public static final class BindFailedException extends Exception {
    BindFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final ProxyConfig config;
  private final WriteBufferWaterMark watermarks;
  private final EventLoopGroup group;
  private final Class<? extends ServerChannel> serverClass;
  private final Class<? extends SocketChannel> socketClass;
  private final Semaphore budget;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong overBudget = new AtomicLong();
  private final AtomicLong noBackend = new AtomicLong();
  private final AtomicLong failovers = new AtomicLong();
  private final AtomicLong unreachable = new AtomicLong();

  public TcpProxies(ProxyConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.watermarks = new WriteBufferWaterMark(config.watermarkLow(), config.watermarkHigh());
    if (Epoll.isAvailable()) {
      group = new MultiThreadIoEventLoopGroup(config.eventLoops(), Thread.ofPlatform().daemon().name("ax-proxy-", 0).factory(), EpollIoHandler.newFactory());
      serverClass = EpollServerSocketChannel.class;
      socketClass = EpollSocketChannel.class;
    } else {
      log.warn("[proxy] epoll is not available ({}); proxies use NIO", Epoll.unavailabilityCause().getMessage());
      group = new MultiThreadIoEventLoopGroup(config.eventLoops(), Thread.ofPlatform().daemon().name("ax-proxy-", 0).factory(), NioIoHandler.newFactory());
      serverClass = NioServerSocketChannel.class;
      socketClass = NioSocketChannel.class;
    }
    budget = new Semaphore(config.maxConnections());
  }

  /**
   * Listens on {@code address} and proxies what it accepts along {@code route}.
   *
   * @throws BindFailedException when the address cannot be bound (in use, not this host's)
   */
  public Listener listen(Inet4Endpoint address, Route route) throws BindFailedException {
    Objects.requireNonNull(route, "route");
    return bind(address, () -> new Frontend(route, null, null));
  }

  /**
   * As {@link #listen(Inet4Endpoint, Route)}, and each backend connection starts with a PROXY
   * protocol v2 header from the client to {@code headerDestination}: the address the next
   * gateway routes the connection by.
   */
  public Listener listen(Inet4Endpoint address, Route route, Inet4Endpoint headerDestination) throws BindFailedException {
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(headerDestination, "headerDestination");
    return bind(address, () -> new Frontend(route, null, headerDestination));
  }

  /**
   * Listens on {@code address} for clients that each begin with a PROXY protocol header (v1 or
   * v2), and routes them by it. A client that sends none within {@link #HEADER_WAIT}, or a
   * malformed one, is reset.
   */
  public Listener listenForHeader(Inet4Endpoint address, HeaderRoute route) throws BindFailedException {
    Objects.requireNonNull(route, "route");
    return bind(address, () -> new Frontend(null, route, null));
  }

  /** How long a client of {@link #listenForHeader} has to send its header: one packet's worth. */
  static final Duration HEADER_WAIT = Duration.ofSeconds(5);

  private Listener bind(Inet4Endpoint address, java.util.function.Supplier<Frontend> frontends) throws BindFailedException {
    WriteBufferWaterMark watermarks = this.watermarks;
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(serverClass)
        .option(ChannelOption.SO_REUSEADDR, true)
        // Clients connect faster than any proxy accepts (the kernel completes the handshake), so a
        // burst waits in this queue; beyond it SYNs are dropped and a client waits a second to
        // retry. 4096 is Linux's default somaxconn cap (HAProxy's default is its maxconn, 4000).
        .option(ChannelOption.SO_BACKLOG, 4096)
        // Nothing is read from a client before its backend is connected: until then its bytes
        // wait in the kernel, and a client whose backend never answers costs no memory here.
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, watermarks)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(frontends.get());
          }
        });
    ChannelFuture bound = b.bind(inet(address)).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      Throwable c = bound.cause();
      throw new BindFailedException("cannot listen on " + address + ": " + (c.getMessage() == null ? c.toString() : c.getMessage()), c);
    }
    InetSocketAddress local = (InetSocketAddress) bound.channel().localAddress();
    return new Listener(bound.channel(), new Inet4Endpoint(address.ip(), local.getPort()));
  }

  public Stats stats() {
    return new Stats(accepted.get(), config.maxConnections() - budget.availablePermits(), overBudget.get(), noBackend.get(), failovers.get(), unreachable.get());
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /**
   * The client's side: admits it, picks its backends and connects to the first that answers.
   * Until then it keeps what arrives: reading is off, but epoll still reads once when the client
   * half-closes early (a short request and its FIN), and that and the end of the stream must
   * reach the backend too.
   */
  private final class Frontend extends ChannelInboundHandlerAdapter {
    /** Exactly one of route and headerRoute is set. */
    private final Route route;
    private final HeaderRoute headerRoute;
    /** Non-null: each backend connection starts with a PROXY header naming this destination. */
    private final Inet4Endpoint headerDestination;
    private final List<Object> early = new ArrayList<>();
    private boolean inputEndedEarly;
    private boolean relaying;
    private io.netty.util.concurrent.ScheduledFuture<?> headerTimeout;

    Frontend(Route route, HeaderRoute headerRoute, Inet4Endpoint headerDestination) {
      this.route = route;
      this.headerRoute = headerRoute;
      this.headerDestination = headerDestination;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel inbound = ctx.channel();
      accepted.incrementAndGet();
      if (!budget.tryAcquire()) {
        overBudget.incrementAndGet();
        log.debug("[proxy] {} over the limit of {} connections: reset", inbound.remoteAddress(), config.maxConnections());
        reset(inbound);
        return;
      }
      inbound.closeFuture().addListener(f -> budget.release());
      if (!(inbound.remoteAddress() instanceof InetSocketAddress client)) {
        inbound.close(); // reset before it was accepted: nobody to serve
        return;
      }
      if (headerRoute != null) {
        // The header comes first; the decoder reads until it has it, then leaves the pipeline and
        // passes on what followed it.
        ctx.pipeline().addBefore(ctx.name(), "proxy-header", new HAProxyMessageDecoder());
        headerTimeout = inbound.eventLoop().schedule(() -> {
          log.debug("[proxy] {} sent no PROXY header within {}: reset", inbound.remoteAddress(), HEADER_WAIT);
          reset(inbound);
        }, HEADER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        inbound.read();
        return;
      }
      decide(inbound, () -> route.targets(endpoint(client)));
    }

    private void decide(Channel inbound, java.util.function.Supplier<java.util.concurrent.CompletionStage<ConnectDecision>> routing) {
      java.util.concurrent.CompletableFuture<ConnectDecision> decided;
      try {
        decided = routing.get().toCompletableFuture();
      } catch (RuntimeException e) {
        log.error("[proxy] route of {} failed", inbound.localAddress(), e);
        reset(inbound);
        return;
      }
      if (decided.isDone()) {
        proceed(inbound, decided.join());
      } else {
        decided.whenComplete((d, failure) -> inbound.eventLoop().execute(() -> {
          if (failure != null) {
            log.error("[proxy] route of {} failed", inbound.localAddress(), failure);
            reset(inbound);
          } else if (inbound.isActive()) {
            proceed(inbound, d);
          }
        }));
      }
    }

    private void proceed(Channel inbound, ConnectDecision d) {
      switch (d) {
        case ConnectDecision.Targets t -> connect(inbound, t.targets(), 0);
        case ConnectDecision.Refuse r -> {
          noBackend.incrementAndGet();
          log.debug("[proxy] {} to {}: {}", inbound.remoteAddress(), inbound.localAddress(), r.reason());
          reset(inbound);
        }
        default -> {
          noBackend.incrementAndGet();
          reset(inbound);
        }
      }
    }

    private void connect(Channel inbound, List<Inet4Endpoint> targets, int i) {
      if (!inbound.isActive()) {
        return; // the client gave up: no backend to try for it
      }
      if (i == targets.size()) {
        unreachable.incrementAndGet();
        log.debug("[proxy] {} to {}: no backend of {} answered", inbound.remoteAddress(), inbound.localAddress(), targets);
        reset(inbound);
        return;
      }
      Bootstrap b = new Bootstrap()
          .group(inbound.eventLoop())
          .channel(socketClass)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
          .option(ChannelOption.AUTO_READ, false)
          .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.WRITE_BUFFER_WATER_MARK, watermarks)
          .handler(new Relay(inbound));
      b.connect(inet(targets.get(i))).addListener((ChannelFuture f) -> {
        if (!f.isSuccess()) {
          if (i + 1 < targets.size()) {
            failovers.incrementAndGet();
          }
          log.debug("[proxy] backend {} did not take a connection: {}", targets.get(i), f.cause() == null ? "cancelled" : f.cause().getMessage());
          connect(inbound, targets, i + 1);
          return;
        }
        Channel outbound = f.channel();
        if (!inbound.isActive()) {
          outbound.close(); // the client gave up meanwhile
          return;
        }
        if (headerDestination != null) {
          writeHeader(outbound, (InetSocketAddress) inbound.remoteAddress());
        }
        inbound.pipeline().addLast(new Relay(outbound));
        relaying = true;
        boolean hadEarly = !early.isEmpty();
        for (Object msg : early) {
          inbound.pipeline().fireChannelRead(msg);
        }
        early.clear();
        if (hadEarly || inputEndedEarly) {
          inbound.pipeline().fireChannelReadComplete();
        }
        if (inputEndedEarly) {
          inbound.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
        if (!inputEndedEarly) {
          inbound.config().setAutoRead(true); // a client that already ended has nothing more to read
        }
        outbound.config().setAutoRead(true);
      });
    }

    /** The PROXY v2 header, through Netty's encoder, which leaves the pipeline once it is written. */
    private void writeHeader(Channel outbound, InetSocketAddress client) {
      HAProxyMessage header = new HAProxyMessage(
          HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP4,
          client.getAddress().getHostAddress(), new Ipv4(headerDestination.ip()).toString(), client.getPort(), headerDestination.port());
      outbound.pipeline().addFirst("proxy-header", HAProxyMessageEncoder.INSTANCE);
      outbound.write(header, outbound.voidPromise());
      outbound.pipeline().remove("proxy-header");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HAProxyMessage header) {
        onHeader(ctx.channel(), header);
        return;
      }
      if (relaying) {
        ctx.fireChannelRead(msg);
      } else {
        early.add(msg);
      }
    }

    private void onHeader(Channel inbound, HAProxyMessage header) {
      headerTimeout.cancel(false);
      Inet4Endpoint source;
      Inet4Endpoint destination;
      try {
        if (header.command() != HAProxyCommand.PROXY || header.proxiedProtocol() != HAProxyProxiedProtocol.TCP4) {
          log.debug("[proxy] {} sent a PROXY header for {} {}: only TCP over IPv4 is proxied", inbound.remoteAddress(), header.command(), header.proxiedProtocol());
          reset(inbound);
          return;
        }
        source = new Inet4Endpoint(Ipv4.parse("source", header.sourceAddress()).bits(), header.sourcePort());
        destination = new Inet4Endpoint(Ipv4.parse("destination", header.destinationAddress()).bits(), header.destinationPort());
      } finally {
        header.release();
      }
      Inet4Endpoint peer = endpoint((InetSocketAddress) inbound.remoteAddress());
      decide(inbound, () -> headerRoute.targets(peer, source, destination));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (relaying) {
        ctx.fireChannelReadComplete();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (!relaying && evt instanceof ChannelInputShutdownEvent) {
        inputEndedEarly = true;
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    /**
     * A client that resets before its backend is connected (a port scanner, a client that gave
     * up) is common and no error of ours: closed quietly, with no stack trace in the log.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (relaying) {
        ctx.fireExceptionCaught(cause);
        return;
      }
      log.debug("[proxy] {} before its backend answered: {}", ctx.channel().remoteAddress(), cause.getMessage());
      // A malformed PROXY header is answered as a closed port would be.
      reset(ctx.channel());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (headerTimeout != null) {
        headerTimeout.cancel(false);
      }
      early.forEach(ReferenceCountUtil::release);
      early.clear();
      ctx.fireChannelInactive();
    }
  }

  /**
   * Moves what one side reads to the other side ({@code peer}), and passes on the end of its
   * stream as a half-close.
   */
  private static final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    Relay(Channel peer) {
      this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      peer.write(msg, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      peer.flush();
    }

    /** This side's outgoing queue crossed a watermark: read its sender only while it drains. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      peer.config().setAutoRead(ctx.channel().isWritable());
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        // This side sent all it had: once that is out, the peer's sending side is shut too.
        DuplexChannel self = (DuplexChannel) ctx.channel();
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
          if (peer instanceof DuplexChannel d && d.isActive()) {
            d.shutdownOutput().addListener(x -> closeWhenDone(d));
          }
        });
        closeWhenDone(self);
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (peer.isActive()) {
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("[proxy] {}: {}", ctx.channel().remoteAddress(), cause.getMessage());
      ctx.close();
      peer.close();
    }

    /** A connection whose two directions are both finished is closed. */
    private static void closeWhenDone(DuplexChannel c) {
      if (c.isInputShutdown() && c.isOutputShutdown()) {
        c.close();
      }
    }
  }

  /** Closes with a reset (SO_LINGER 0): what a client of a port with no server would see. */
  private static void reset(Channel ch) {
    try {
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (RuntimeException e) {
      // Not every transport takes it; a plain close then.
    }
    ch.close();
  }

  private static InetSocketAddress inet(Inet4Endpoint e) {
    int ip = e.ip();
    byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
    try {
      return new InetSocketAddress(InetAddress.getByAddress(b), e.port());
    } catch (UnknownHostException x) {
      throw new IllegalStateException(x); // four bytes are always an address
    }
  }

  private static Inet4Endpoint endpoint(InetSocketAddress a) {
    byte[] b = a.getAddress().getAddress();
    if (b.length != 4) {
      return new Inet4Endpoint(0, a.getPort());
    }
    return new Inet4Endpoint(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff), a.getPort());
  }
}
