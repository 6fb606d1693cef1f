package io.ax.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real proxies on loopback, with real backends: what a client and a server see through them. */
class TcpProxiesTest {
  private static final int LOOPBACK = Inet4Endpoint.LOOPBACK;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final ProxyConfig config = new ProxyConfig(Duration.ofMillis(500), 100, 64 * 1024, 256 * 1024, 1);

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  private TcpProxies proxies(ProxyConfig c) {
    TcpProxies p = new TcpProxies(c);
    open.add(p);
    return p;
  }

  private Inet4Endpoint listen(TcpProxies p, Route route) throws Exception {
    TcpProxies.Listener l = p.listen(new Inet4Endpoint(LOOPBACK, 0), route);
    open.add(l);
    return l.address();
  }

  private static Route to(Inet4Endpoint... targets) {
    return Route.now(client -> new ConnectDecision.Targets("test", List.of(targets)));
  }

  /** A backend that runs {@code session} for each connection, on its own thread. */
  private Inet4Endpoint backend(Session session) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    open.add(server);
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread.ofVirtual().start(() -> {
            try (s) {
              session.run(s);
            } catch (IOException e) {
              // the test sees what the client got
            }
          });
        } catch (IOException e) {
          return;
        }
      }
    });
    return new Inet4Endpoint(LOOPBACK, server.getLocalPort());
  }

  interface Session {
    void run(Socket s) throws IOException;
  }

  private static Session echo() {
    return s -> s.getInputStream().transferTo(s.getOutputStream());
  }

  /**
   * A port with nothing listening: connects to it are refused. Held by a bound socket that does
   * not listen, so that no listener of the test (the proxy itself) can be given it.
   */
  private Inet4Endpoint closedPort() throws IOException {
    Socket holder = new Socket();
    open.add(holder);
    holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return new Inet4Endpoint(LOOPBACK, holder.getLocalPort());
  }

  private static Socket connect(Inet4Endpoint at) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), at.port()), 5000);
    s.setSoTimeout(10_000);
    return s;
  }

  @Test
  void bytes_crossBothWays_unchanged_andAHalfCloseReachesTheServer() throws Exception {
    Inet4Endpoint proxy = listen(proxies(config), to(backend(echo())));
    byte[] sent = new byte[4 << 20];
    new Random(1).nextBytes(sent);

    try (Socket c = connect(proxy)) {
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          c.getOutputStream().write(sent);
          c.shutdownOutput(); // the echo server sees the end, echoes the rest and closes
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      byte[] back = c.getInputStream().readAllBytes();
      writer.get(10, TimeUnit.SECONDS);
      assertThat(back).hasSize(sent.length);
      assertThat(Arrays.equals(back, sent)).isTrue();
    }
  }

  @Test
  void aServerThatAnswersAfterTheClientsEnd_getsItsAnswerThrough() throws Exception {
    // The request/response shape that needs half-close: read to the end, then answer.
    Inet4Endpoint proxy = listen(proxies(config), to(backend(s -> {
      byte[] request = s.getInputStream().readAllBytes();
      s.getOutputStream().write(("got " + request.length + " bytes").getBytes(StandardCharsets.US_ASCII));
    })));

    try (Socket c = connect(proxy)) {
      c.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
      c.shutdownOutput();
      assertThat(new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("got 5 bytes");
    }
  }

  @Test
  void aBackendThatRefuses_isSkippedForTheNext_andWhenNoneAnswersTheClientIsReset() throws Exception {
    TcpProxies p = proxies(config);
    Inet4Endpoint live = backend(echo());
    Inet4Endpoint failover = listen(p, to(closedPort(), live));
    Inet4Endpoint dead = listen(p, to(closedPort(), closedPort()));

    try (Socket c = connect(failover)) {
      c.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
      assertThat(c.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(p.stats().failovers()).isEqualTo(1);

    assertThat(refused(dead)).isTrue();
    await().untilAsserted(() -> assertThat(p.stats().backendsUnreachable()).isEqualTo(1));
  }

  @Test
  void aBackendThatNeverAnswersTheSyn_isGivenUpAfterTheConnectTimeout_forTheNext() throws Exception {
    // A listener whose accept queue is full drops further SYNs: a host that does not answer.
    ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    open.add(full);
    for (int i = 0; i < 3; i++) {
      Socket filler = new Socket();
      open.add(filler);
      try {
        filler.connect(full.getLocalSocketAddress(), 300);
      } catch (IOException e) {
        break; // the queue is full already
      }
    }
    TcpProxies p = proxies(config);
    Inet4Endpoint proxy = listen(p, to(new Inet4Endpoint(LOOPBACK, full.getLocalPort()), backend(echo())));

    try (Socket c = connect(proxy)) {
      c.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
      assertThat(c.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(p.stats().failovers()).isEqualTo(1);
  }

  @Test
  void aRouteWithNoBackend_resetsTheClient() throws Exception {
    TcpProxies p = proxies(config);
    Inet4Endpoint proxy = listen(p, Route.now(client -> new ConnectDecision.Refuse(Errno.ECONNREFUSED, "no backends")));

    assertThat(refused(proxy)).isTrue();
    assertThat(p.stats().noBackend()).isEqualTo(1);
  }

  @Test
  void connectionsBeyondTheLimit_areReset_andTheLimitFreesWhenOneCloses() throws Exception {
    TcpProxies p = proxies(new ProxyConfig(Duration.ofSeconds(2), 1, 64 * 1024, 256 * 1024, 1));
    Inet4Endpoint proxy = listen(p, to(backend(echo())));

    try (Socket first = connect(proxy)) {
      first.getOutputStream().write(1);
      assertThat(first.getInputStream().read()).isEqualTo(1);
      assertThat(refused(proxy)).isTrue();
      assertThat(p.stats().overBudget()).isEqualTo(1);
    }
    await().untilAsserted(() -> assertThat(p.stats().active()).isZero());
    try (Socket third = connect(proxy)) {
      third.getOutputStream().write(3);
      assertThat(third.getInputStream().read()).isEqualTo(3);
    }
  }

  @Test
  void aReceiverThatDoesNotRead_stopsItsSender_insteadOfFillingTheProxy() throws Exception {
    CompletableFuture<Socket> held = new CompletableFuture<>();
    Inet4Endpoint proxy = listen(proxies(config), to(backend(s -> {
      held.complete(s);
      try {
        Thread.sleep(Long.MAX_VALUE); // keeps the socket open, reading nothing
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    })));
    int total = 256 << 20;
    AtomicLong written = new AtomicLong();

    try (Socket c = connect(proxy)) {
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        byte[] chunk = new byte[64 * 1024];
        try {
          OutputStream out = c.getOutputStream();
          for (int n = 0; n < total; n += chunk.length) {
            out.write(chunk);
            written.addAndGet(chunk.length);
          }
          c.shutdownOutput();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Socket server = held.get(10, TimeUnit.SECONDS);
      // Wait until the writer stalls: the kernel's buffers on the way are full.
      long before;
      do {
        before = written.get();
        Thread.sleep(500);
      } while (written.get() != before);
      // Without backpressure the proxy would have read all 256 MiB into its memory by now.
      assertThat(written.get()).isLessThan(total / 4);

      // Once the server reads, everything arrives.
      long received = 0;
      InputStream in = server.getInputStream();
      byte[] buf = new byte[256 * 1024];
      for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
        received += r;
      }
      writer.get(30, TimeUnit.SECONDS);
      assertThat(received).isEqualTo(total);
    }
  }

  @Test
  void clientsThatResetRightAway_leaveNothingOpen_andTheNextClientIsServed() throws Exception {
    TcpProxies p = proxies(config);
    Inet4Endpoint proxy = listen(p, to(backend(echo())));

    for (int i = 0; i < 500; i++) {
      try (Socket c = new Socket()) {
        c.setSoLinger(true, 0); // a reset on close, as a scanner or an impatient client sends
        c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 5000);
      }
    }

    await().untilAsserted(() -> assertThat(p.stats().active()).isZero());
    assertThat(p.stats().accepted()).isEqualTo(500);
    try (Socket c = connect(proxy)) {
      c.getOutputStream().write(7);
      assertThat(c.getInputStream().read()).isEqualTo(7);
    }
  }

  /**
   * Whether a client is turned away: reset (during the handshake as the connect's error, or after
   * it) or closed before any byte. A client that was let through would block on the read instead.
   */
  private static boolean refused(Inet4Endpoint at) throws IOException {
    try (Socket c = connect(at)) {
      return c.getInputStream().read() == -1;
    } catch (java.net.SocketException e) {
      return e.getMessage().contains("reset");
    }
  }

  @Test
  void aProxyHeaderChain_carriesTheClientAndItsDestination_andTheBytesAfterIt() throws Exception {
    // A federation hop: the first proxy (egress) names the service, the second (ingress) routes by it.
    TcpProxies p = proxies(config);
    Inet4Endpoint server = backend(echo());
    Inet4Endpoint service = new Inet4Endpoint(0x02020202, 8000);
    CompletableFuture<List<Inet4Endpoint>> seen = new CompletableFuture<>();
    TcpProxies.Listener ingress = p.listenForHeader(new Inet4Endpoint(LOOPBACK, 0), (peer, source, destination) -> {
      seen.complete(List.of(peer, source, destination));
      return CompletableFuture.completedFuture(new ConnectDecision.Targets("ingress", List.of(server)));
    });
    open.add(ingress);
    TcpProxies.Listener egress = p.listen(new Inet4Endpoint(LOOPBACK, 0), to(ingress.address()), service);
    open.add(egress);

    try (Socket c = connect(egress.address())) {
      c.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
      assertThat(c.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes(StandardCharsets.US_ASCII));
      List<Inet4Endpoint> route = seen.get(5, TimeUnit.SECONDS);
      assertThat(route.get(1)).as("the original client").isEqualTo(new Inet4Endpoint(LOOPBACK, c.getLocalPort()));
      assertThat(route.get(2)).as("the service it asked for").isEqualTo(service);
      assertThat(route.get(0).ip()).as("the egress proxy's side").isEqualTo(LOOPBACK);
    }
  }

  @Test
  void aProxyHeaderListener_resetsAClientWhoseFirstBytesAreNoHeader() throws Exception {
    TcpProxies p = proxies(config);
    Inet4Endpoint server = backend(echo());
    TcpProxies.Listener ingress = p.listenForHeader(
        new Inet4Endpoint(LOOPBACK, 0), (peer, source, destination) -> CompletableFuture.completedFuture(new ConnectDecision.Targets("ingress", List.of(server))));
    open.add(ingress);

    try (Socket c = connect(ingress.address())) {
      c.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      // Nothing reaches the server: the client's connection ends without a byte back.
      assertThat(readOrReset(c)).isEqualTo(-1);
    }
  }

  /** The first byte the socket reads: -1 at its end or on a reset. */
  private static int readOrReset(Socket c) {
    try {
      return c.getInputStream().read();
    } catch (IOException e) {
      return -1;
    }
  }
}
