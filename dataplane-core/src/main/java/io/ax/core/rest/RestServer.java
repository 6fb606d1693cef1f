package io.ax.core.rest;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of {@link RestApi} on Netty. Bodies over {@link #MAX_BODY} get 413 before they
 * are read; a connection idle for {@link #IDLE_SECONDS} is closed; requests are handled on
 * virtual threads because a create writes the state file.
 */
public final class RestServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RestServer.class);
  /** A vservice with hundreds of backends fits in a few KiB; 64 KiB leaves room, and bounds memory. */
  static final int MAX_BODY = 64 * 1024;
  /** Long enough for any client on loopback, short enough that idle sockets do not pile up. */
  static final int IDLE_SECONDS = 30;
  /** How long a refused oversized upload may go on being read and dropped after the 413. */
  static final int LINGER_SECONDS = 2;
  /**
   * Connections open at once; beyond, new ones are closed at once. The REST API is for operators'
   * scripts: 256 is far more than they open, and bounds the fds a local user can take from the
   * daemon through it (the rest are the bridge's and the apps').
   */
  static final int MAX_CONNECTIONS = 256;
  /** A request must arrive whole this long after its first byte: a client trickling one in (slowloris) is cut off. */
  static final int REQUEST_SECONDS = 10;

  private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
  private Channel channel;

  private RestServer(InetSocketAddress address, RestApi api, RestToken token, IntConsumer responses) {
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (open.incrementAndGet() > MAX_CONNECTIONS) {
              open.decrementAndGet();
              log.debug("[rest] {} refused: {} connections are open", ch.remoteAddress(), MAX_CONNECTIONS);
              ch.close();
              return;
            }
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            ch.pipeline()
                .addLast(new ReadTimeoutHandler(IDLE_SECONDS))
                .addLast(new HttpServerCodec())
                .addLast(new RequestDeadline())
                .addLast(new BoundedAggregator())
                .addLast(new Handler(api, handlers, token, responses));
          }
        });
    // bind() fails with checked exceptions (BindException) that Netty throws undeclared.
    io.netty.channel.ChannelFuture bound = b.bind(address).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      close();
      Throwable cause = bound.cause();
      throw new IllegalStateException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
    }
    this.channel = bound.channel();
  }

  /** Binds the address and starts serving; requests that change the mesh need {@code token}. */
  public static RestServer start(InetSocketAddress address, RestApi api, RestToken token) {
    return start(address, api, token, status -> {});
  }

  /** As {@link #start(InetSocketAddress, RestApi, RestToken)}; {@code responses} hears each response's status code. */
  public static RestServer start(InetSocketAddress address, RestApi api, RestToken token, IntConsumer responses) {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(responses, "responses");
    RestServer s = new RestServer(address, api, token, responses);
    log.info("[rest] serving the REST API on http://{}:{}{} (changes need the token in {})", address.getHostString(), s.port(), RestApi.PREFIX, token.file());
    return s;
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().awaitUninterruptibly();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    handlers.shutdown();
  }

  /** Closes a connection whose request does not arrive whole within {@link #REQUEST_SECONDS} of its start. */
  private static final class RequestDeadline extends io.netty.channel.ChannelInboundHandlerAdapter {
    private io.netty.util.concurrent.ScheduledFuture<?> deadline;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof io.netty.handler.codec.http.HttpRequest && deadline == null) {
        deadline = ctx.executor().schedule(() -> {
          log.debug("[rest] {} sent no whole request within {} s: closed", ctx.channel().remoteAddress(), REQUEST_SECONDS);
          ctx.close();
        }, REQUEST_SECONDS, TimeUnit.SECONDS);
      }
      if (msg instanceof io.netty.handler.codec.http.LastHttpContent && deadline != null) {
        deadline.cancel(false);
        deadline = null;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (deadline != null) {
        deadline.cancel(false);
      }
      ctx.fireChannelInactive();
    }
  }

  /** Refuses oversized bodies with the API's JSON error shape instead of an empty 413. */
  private static final class BoundedAggregator extends HttpObjectAggregator {
    BoundedAggregator() {
      super(MAX_BODY);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpMessage oversized) {
      String json = "{\"name\":null,\"result\":false,\"details\":\"body: larger than " + MAX_BODY + " bytes\",\"field\":\"body\"}";
      // A lingering close: closing with the rest of the body unread makes the kernel answer with
      // a reset, which can reach the client before it has read the 413. So the answer goes out
      // with a FIN, the aggregator reads and drops the rest of the body, and the connection
      // closes when the client closes its side, or after LINGER_SECONDS.
      FullHttpResponse response = Handler.response(new RestResponse(413, json));
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(written -> {
        if (ctx.channel() instanceof SocketChannel socket && written.isSuccess()) {
          socket.shutdownOutput();
          ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
        } else {
          ctx.close();
        }
      });
    }
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final RestApi api;
    private final ExecutorService handlers;
    private final RestToken token;
    private final IntConsumer responses;

    Handler(RestApi api, ExecutorService handlers, RestToken token, IntConsumer responses) {
      this.api = api;
      this.handlers = handlers;
      this.token = token;
      this.responses = responses;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (!request.decoderResult().isSuccess()) {
        send(ctx, new RestResponse(400, "{\"result\":false,\"details\":\"malformed HTTP request\"}"), AfterReply.CLOSE);
        return;
      }
      String method = request.method().name();
      String uri = request.uri();
      AfterReply after0 = HttpUtil.isKeepAlive(request) ? AfterReply.KEEP_ALIVE : AfterReply.CLOSE;
      if (!method.equals("GET") && !method.equals("HEAD") && !token.admits(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
        // Any local user reaches loopback: only the token's readers (root, --admin-group) steer traffic.
        String details = "this request changes the mesh: send 'Authorization: Bearer TOKEN' with the token in " + token.file()
            + " (readable by root and --admin-group)";
        FullHttpResponse refused = response(new RestResponse(401, "{\"name\":null,\"result\":false,\"details\":\"" + details + "\",\"field\":\"Authorization\"}"));
        refused.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        responses.accept(401);
        if (after0 == AfterReply.KEEP_ALIVE) {
          refused.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
          ctx.writeAndFlush(refused);
        } else {
          ctx.writeAndFlush(refused).addListener(ChannelFutureListener.CLOSE);
        }
        return;
      }
      byte[] body = ByteBufUtil.getBytes(request.content());
      AfterReply after = HttpUtil.isKeepAlive(request) ? AfterReply.KEEP_ALIVE : AfterReply.CLOSE;
      handlers.execute(() -> send(ctx, api.handle(method, uri, body), after));
    }

    static FullHttpResponse response(RestResponse r) {
      FullHttpResponse response = new DefaultFullHttpResponse(
          HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()), Unpooled.copiedBuffer(r.json() + "\n", StandardCharsets.UTF_8));
      response.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
      return response;
    }

    /** What the connection does once a reply is written (HTTP/1.1 keep-alive, RFC 9112 §9.3). */
    private enum AfterReply {
      KEEP_ALIVE,
      CLOSE
    }

    private void send(ChannelHandlerContext ctx, RestResponse r, AfterReply after) {
      responses.accept(r.status());
      FullHttpResponse response = response(r);
      if (after == AfterReply.KEEP_ALIVE) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A client that reset or timed out: nothing to answer.
      log.debug("[rest] connection from {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}
