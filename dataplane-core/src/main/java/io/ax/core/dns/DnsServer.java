package io.ax.core.dns;

import io.ax.core.state.DataplaneState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DNS server's sockets: UDP and TCP on the same address and port, every query answered by a
 * {@link DnsResolver} on its own virtual thread.
 *
 * <p>UDP: one receiving thread; a datagram beyond {@link DnsConfig.Limits#maxInFlightQueries()}
 * queries in flight is dropped and counted. TCP (RFC 7766): messages behind a 2-byte length,
 * answered in order on each connection; at most {@link DnsConfig.Limits#maxTcpConnections()}
 * connections (one more is closed at once), each closed when a whole query has not arrived
 * within {@link DnsConfig.Limits#tcpIdleTimeout()} (so a client trickling bytes cannot hold it).
 *
 * <p>Thread-safe. {@link #close()} closes the sockets and every connection and waits (bounded)
 * for the handlers; closing twice is harmless.
 */
public final class DnsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
  /** With port 0, UDP picks the port and TCP may find it taken; a few tries make that vanishingly rare. */
  private static final int BIND_ATTEMPTS = 5;
  /** How long close() waits for handlers: forwards end within their timeout once interrupted. */
  private static final long CLOSE_WAIT_SECONDS = 5;
  /** After a failed accept (out of file descriptors), long enough not to spin, short enough to recover quickly. */
  private static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final DnsResolver resolver;
  private final DnsConfig.Limits limits;
  private final DnsStats stats;
  private final DatagramChannel udp;
  private final ServerSocketChannel tcp;
  private final InetSocketAddress address;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final Semaphore udpInFlight;
  private final Semaphore tcpSlots;
  private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
  private final List<Thread> loops = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private DnsServer(DnsResolver resolver, DatagramChannel udp, ServerSocketChannel tcp) throws IOException {
    this.resolver = resolver;
    this.limits = resolver.config().limits();
    this.stats = resolver.stats();
    this.udp = udp;
    this.tcp = tcp;
    this.address = (InetSocketAddress) udp.getLocalAddress();
    this.udpInFlight = new Semaphore(limits.maxInFlightQueries());
    this.tcpSlots = new Semaphore(limits.maxTcpConnections());
  }

  /** Serves {@code config} with names from {@code state}, forwarding over UDP to its upstreams. */
  public static DnsServer start(DnsConfig config, Supplier<DataplaneState> state) throws IOException {
    return start(DnsResolver.create(config, state));
  }

  /**
   * Binds the resolver's configured address over UDP and TCP and starts serving.
   *
   * @throws IOException when the address cannot be bound (port 53 needs CAP_NET_BIND_SERVICE)
   */
  public static DnsServer start(DnsResolver resolver) throws IOException {
    Objects.requireNonNull(resolver, "resolver");
    DnsConfig config = resolver.config();
    for (int attempt = 1; ; attempt++) {
      DatagramChannel udp = DatagramChannel.open();
      ServerSocketChannel tcp = ServerSocketChannel.open();
      try {
        udp.bind(config.listen());
        int port = ((InetSocketAddress) udp.getLocalAddress()).getPort();
        tcp.bind(new InetSocketAddress(config.listen().getAddress(), port), config.limits().maxTcpConnections());
        DnsServer server = new DnsServer(resolver, udp, tcp);
        server.serve();
        log.info("[dns] serving {} on {} (udp, tcp); forwarding to {}", config.domain(), server.address,
            config.upstreams().isEmpty() ? "nothing (other names are NXDOMAIN)" : config.upstreams());
        return server;
      } catch (IOException e) {
        udp.close();
        tcp.close();
        if (!(e instanceof BindException) || config.listen().getPort() != 0 || attempt == BIND_ATTEMPTS) {
          throw new IOException("dns: cannot listen on " + config.listen() + ": " + e.getMessage(), e);
        }
      }
    }
  }

  /** The address served, with the port chosen if the config said 0; the same for UDP and TCP. */
  public InetSocketAddress address() {
    return address;
  }

  public DnsStats stats() {
    return stats;
  }

  private void serve() {
    loops.add(Thread.ofVirtual().name("dns-udp").start(this::receiveUdp));
    loops.add(Thread.ofVirtual().name("dns-tcp").start(this::acceptTcp));
  }

  private void receiveUdp() {
    ByteBuffer buf = ByteBuffer.allocate(65535); // the largest datagram; a query is far smaller
    while (!closed.get() && udp.isOpen()) {
      SocketAddress client;
      buf.clear();
      try {
        client = udp.receive(buf);
      } catch (ClosedChannelException e) {
        break;
      } catch (IOException e) {
        log.warn("[dns] udp receive failed: {}", e.toString());
        continue;
      }
      stats.increment(DnsStats.Counter.QUERIES_UDP);
      buf.flip();
      byte[] query = new byte[buf.remaining()];
      buf.get(query);
      if (!udpInFlight.tryAcquire()) {
        if (stats.incrementAndShouldWarn(DnsStats.Counter.DROPPED_OVERLOADED)) {
          log.warn("[dns] dropped a query from {}: {} queries in flight ({} dropped so far)", client, limits.maxInFlightQueries(),
              stats.get(DnsStats.Counter.DROPPED_OVERLOADED));
        }
        continue;
      }
      try {
        workers.execute(() -> answerUdp(query, client));
      } catch (RejectedExecutionException e) {
        udpInFlight.release();
        break; // closing
      }
    }
  }

  private void answerUdp(byte[] query, SocketAddress client) {
    try {
      if (resolver.resolve(query, QueryTransport.UDP) instanceof Reply.Answer(byte[] wire)) {
        udp.send(ByteBuffer.wrap(wire), client);
      }
    } catch (IOException e) {
      stats.increment(DnsStats.Counter.SEND_FAILED);
      log.debug("[dns] cannot answer {} over udp: {}", client, e.toString());
    } finally {
      udpInFlight.release();
    }
  }

  private void acceptTcp() {
    while (!closed.get() && tcp.isOpen()) {
      SocketChannel c;
      try {
        c = tcp.accept();
      } catch (ClosedChannelException e) {
        break;
      } catch (IOException e) {
        // EMFILE and the like: pause rather than spin on them.
        log.warn("[dns] tcp accept failed: {}", e.toString());
        LockSupport.parkNanos(ACCEPT_BACKOFF_NANOS);
        continue;
      }
      if (!tcpSlots.tryAcquire()) {
        if (stats.incrementAndShouldWarn(DnsStats.Counter.TCP_REJECTED)) {
          log.warn("[dns] closed a tcp connection: {} already open ({} closed so far)", limits.maxTcpConnections(),
              stats.get(DnsStats.Counter.TCP_REJECTED));
        }
        closeQuietly(c);
        continue;
      }
      connections.add(c);
      try {
        workers.execute(() -> serveTcp(c));
      } catch (RejectedExecutionException e) {
        connections.remove(c);
        tcpSlots.release();
        closeQuietly(c);
        break; // closing
      }
    }
  }

  private void serveTcp(SocketChannel c) {
    try {
      InputStream in = c.socket().getInputStream();
      OutputStream out = c.socket().getOutputStream();
      byte[] prefix = new byte[2];
      while (!closed.get()) {
        // The idle timeout covers a whole message: the deadline is set once per query.
        long deadline = System.nanoTime() + limits.tcpIdleTimeout().toNanos();
        if (!readFully(c, in, prefix, deadline)) {
          return; // the client closed between queries
        }
        int length = ((prefix[0] & 0xff) << 8) | (prefix[1] & 0xff);
        if (length == 0) {
          stats.increment(DnsStats.Counter.TCP_CLOSED_IDLE);
          return;
        }
        byte[] query = new byte[length]; // at most 65535: the prefix bounds it
        if (!readFully(c, in, query, deadline)) {
          return;
        }
        stats.increment(DnsStats.Counter.QUERIES_TCP);
        if (resolver.resolve(query, QueryTransport.TCP) instanceof Reply.Answer(byte[] wire)) {
          byte[] framed = new byte[wire.length + 2];
          framed[0] = (byte) (wire.length >>> 8);
          framed[1] = (byte) wire.length;
          System.arraycopy(wire, 0, framed, 2, wire.length);
          out.write(framed);
          out.flush();
        }
      }
    } catch (SocketTimeoutException e) {
      stats.increment(DnsStats.Counter.TCP_CLOSED_IDLE);
      log.debug("[dns] closed an idle tcp connection");
    } catch (IOException e) {
      log.debug("[dns] tcp connection ended: {}", e.toString());
    } finally {
      connections.remove(c);
      closeQuietly(c);
      tcpSlots.release();
    }
  }

  /** Fills {@code buf} before {@code deadline}; false if the peer closed before the first byte. */
  private static boolean readFully(SocketChannel c, InputStream in, byte[] buf, long deadline) throws IOException {
    int at = 0;
    while (at < buf.length) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("no whole query within the idle timeout");
      }
      c.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
      int n = in.read(buf, at, buf.length - at);
      if (n < 0) {
        if (at == 0) {
          return false;
        }
        throw new IOException("the peer closed in the middle of a message");
      }
      at += n;
    }
    return true;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(udp);
    closeQuietly(tcp);
    for (SocketChannel c : connections) {
      closeQuietly(c);
    }
    workers.shutdownNow();
    try {
      // A channel closed under a blocked receive() or accept() releases its fd only when that
      // call returns: wait for the loops, so that the port is free once close() returns.
      for (Thread loop : loops) {
        if (!loop.join(Duration.ofSeconds(CLOSE_WAIT_SECONDS))) {
          log.warn("[dns] {} still running {} s after close", loop.getName(), CLOSE_WAIT_SECONDS);
        }
      }
      if (!workers.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        log.warn("[dns] handlers still running {} s after close", CLOSE_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("[dns] stopped on {}; {}", address, stats);
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      log.debug("[dns] close failed: {}", e.toString());
    }
  }
}
