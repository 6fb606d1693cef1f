package io.ax.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.net.Inet4Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real gateway on loopback, with a real "outside" server: announcements and connections in either order. */
class EgressGatewayTest {
  private static final int LOOPBACK = Inet4Endpoint.LOOPBACK;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final TcpProxies proxies = new TcpProxies(new ProxyConfig(Duration.ofSeconds(1), 100, 64 * 1024, 256 * 1024, 1));

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
    proxies.close();
  }

  private EgressGateway gateway() throws Exception {
    EgressGateway g = EgressGateway.start(proxies, new Inet4Endpoint(LOOPBACK, 0));
    open.add(g);
    return g;
  }

  /** An outside server that answers each connection with one byte, 42. */
  private Inet4Endpoint outside() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    open.add(server);
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          s.getOutputStream().write(42);
        } catch (IOException e) {
          return;
        }
      }
    });
    return new Inet4Endpoint(LOOPBACK, server.getLocalPort());
  }

  /** A client socket bound before it connects, so that its address can be announced first. */
  private Socket bound() throws IOException {
    Socket c = new Socket();
    open.add(c);
    c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    c.setSoTimeout(10_000);
    return c;
  }

  private static Inet4Endpoint local(Socket c) {
    return new Inet4Endpoint(LOOPBACK, c.getLocalPort());
  }

  private static void connect(Socket c, Inet4Endpoint to) throws IOException {
    c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), to.port()), 5000);
  }

  @Test
  void anAnnouncedConnection_reachesItsDestination() throws Exception {
    EgressGateway g = gateway();
    Inet4Endpoint dst = outside();
    Socket c = bound();

    g.announce(local(c), dst);
    connect(c, g.address());

    assertThat(c.getInputStream().read()).isEqualTo(42);
  }

  @Test
  void aConnectionThatComesBeforeItsAnnouncement_waitsForIt() throws Exception {
    EgressGateway g = gateway();
    Inet4Endpoint dst = outside();
    Socket c = bound();

    connect(c, g.address());
    Thread.sleep(200); // the gateway has accepted and waits
    g.announce(local(c), dst);

    assertThat(c.getInputStream().read()).isEqualTo(42);
  }

  @Test
  void aConnectionNobodyAnnounced_isReset_soTheGatewayIsNoOpenProxy() throws Exception {
    EgressGateway g = gateway();
    Socket c = bound();
    g.announce(new Inet4Endpoint(LOOPBACK, local(c).port() + 1), outside()); // another connection's

    connect(c, g.address());

    int got;
    try {
      got = c.getInputStream().read();
    } catch (java.net.SocketException e) {
      got = -1; // reset
    }
    assertThat(got).isEqualTo(-1);
    assertThat(proxies.stats().noBackend()).isEqualTo(1);
  }
}
