package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's port pool meets ports that a program outside the daemon holds: a native socket
 * sits on the port the pool would hand out next, a real server starts under {@code ax run}, and
 * it must serve on another pool port, which the service table names. A port the operator fixed
 * with {@code --expose} keeps the kernel's answer, EADDRINUSE.
 *
 * <p>Each test has its own daemon (no DNS) with a pool of 10 ports drawn at random below the
 * kernel's ephemeral range, so that "the next port" is the pool's first.
 */
class PortPoolIT {
  private static final Logger log = LoggerFactory.getLogger(PortPoolIT.class);
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
  private static final int POOL_SIZE = 10;

  @TempDir Path tmp;
  private AxProcess.Daemon daemon;
  private AxRun ax;
  private final List<AutoCloseable> natives = new ArrayList<>();
  private final List<Process> servers = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    servers.forEach(AxRun::stop);
    for (AutoCloseable c : natives) {
      c.close();
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  /** The first port of a block of {@link #POOL_SIZE} free ports in 20000-29999. */
  private static int freeBlock() {
    long seed = System.nanoTime();
    log.info("[port-pool-it] random seed {}", seed);
    Random random = new Random(seed);
    for (int tries = 0; tries < 200; tries++) {
      int first = 20000 + POOL_SIZE * random.nextInt(1000);
      if (allFree(first)) {
        return first;
      }
    }
    throw new AssertionError("no block of " + POOL_SIZE + " free ports in 20000-29999");
  }

  private static boolean allFree(int first) {
    for (int p = first; p < first + POOL_SIZE; p++) {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(p));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  /** Starts a daemon whose pool is the block at {@code first}. */
  private void daemon(int first) {
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start("--dns=false", "--ports", first + "-" + (first + POOL_SIZE - 1));
    ax = new AxRun(daemon);
  }

  private <T extends AutoCloseable> T holding(T socket) {
    natives.add(socket);
    return socket;
  }

  /** A native listener on every address, as a program outside ax would have. */
  private ServerSocketChannel nativeListener(int port, boolean reusePort) {
    try {
      ServerSocketChannel s = holding(ServerSocketChannel.open());
      s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      s.setOption(StandardSocketOptions.SO_REUSEPORT, reusePort);
      s.bind(new InetSocketAddress(port));
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A native TCP socket bound with SO_REUSEADDR and not listening yet: a server on its way up. */
  private NetworkChannel nativeBoundOnly(int port) {
    try {
      SocketChannel s = holding(SocketChannel.open());
      s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      s.bind(new InetSocketAddress(port));
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Process httpServer(String ip, String id, String... pythonPrelude) throws Exception {
    Path site = RunIT.site(tmp, id);
    List<String> args = new ArrayList<>(List.of("--ip", ip, "--"));
    if (pythonPrelude.length == 0) {
      args.addAll(List.of(RunIT.PYTHON, "-m", "http.server", "8000", "--directory", site.toString()));
    } else {
      // http.server's own main, after a line that changes how its server class binds.
      String script = String.join("; ", pythonPrelude) + "; import http.server as h, functools, sys; "
          + "h.test(HandlerClass=functools.partial(h.SimpleHTTPRequestHandler, directory=sys.argv[1]), ServerClass=h.HTTPServer, port=8000)";
      args.addAll(List.of(RunIT.PYTHON, "-c", script, site.toString()));
    }
    Process p = ax.start(tmp.resolve(id + ".log"), args.toArray(String[]::new));
    servers.add(p);
    return p;
  }

  /** The host port of the one entry serving {@code serviceAddr}. */
  private int hostPort(String serviceAddr) {
    for (JsonNode s : ax.servers()) {
      JsonNode a = s.get("service_addr");
      if ((a.get("ip").asText() + ":" + a.get("port").asInt()).equals(serviceAddr)) {
        return s.get("host_addr").get("port").asInt();
      }
    }
    throw new AssertionError("no entry serves " + serviceAddr + ": " + ax.servers());
  }

  private void assertServes(String url, String id) {
    AxProcess.Result r = ax.run(CLIENT_TIMEOUT, "--", "curl", "-s", "--max-time", "10", url);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(id + "\n");
  }

  @Test
  void nativeListenerOnNextPoolPort_serverGetsTheFollowingPortAndServes() throws Exception {
    int first = freeBlock();
    nativeListener(first, false);
    daemon(first);

    Process server = httpServer("198.18.50.1", "after-listener");
    ax.awaitServers("198.18.50.1:8000", 1, server);

    assertThat(hostPort("198.18.50.1:8000")).isEqualTo(first + 1);
    assertServes("198.18.50.1:8000/id.txt", "after-listener");
    assertThat(daemon.logText()).contains("pool port " + first + " is taken outside this daemon");
  }

  @Test
  void nativeReusePortListenerOnNextPoolPort_appWithReusePortDoesNotShareIt() throws Exception {
    // The daemon makes sockets as root; a root listener with SO_REUSEPORT would take an app's
    // SO_REUSEPORT bind into its group, and the two would split the port's connections.
    int first = freeBlock();
    nativeListener(first, true);
    daemon(first);

    Process server = httpServer("198.18.50.2", "reuseport", "import socketserver; socketserver.TCPServer.allow_reuse_port = True");
    ax.awaitServers("198.18.50.2:8000", 1, server);

    assertThat(hostPort("198.18.50.2:8000")).isEqualTo(first + 1);
    assertServes("198.18.50.2:8000/id.txt", "reuseport");
  }

  @Test
  void nativeSocketBoundNotListening_appWithReuseAddrSkipsItAndListens() throws Exception {
    // Both with SO_REUSEADDR and neither listening, the kernel lets both bind; whoever listens
    // second gets EADDRINUSE from listen(), too late to pick another port. http.server sets
    // SO_REUSEADDR.
    int first = freeBlock();
    nativeBoundOnly(first);
    daemon(first);

    Process server = httpServer("198.18.50.3", "after-bound");
    ax.awaitServers("198.18.50.3:8000", 1, server);

    assertThat(hostPort("198.18.50.3:8000")).isEqualTo(first + 1);
    assertServes("198.18.50.3:8000/id.txt", "after-bound");
  }

  @Test
  void exposedPortHeldOutside_appGetsEaddrinuseAndNoEntry() throws Exception {
    int first = freeBlock();
    int fixed = first + POOL_SIZE - 1; // outside the daemon's pool below
    nativeListener(fixed, false);
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start("--dns=false", "--ports", first + "-" + (first + POOL_SIZE - 2));
    ax = new AxRun(daemon);
    Path site = RunIT.site(tmp, "exposed");
    Path logFile = tmp.resolve("exposed.log");

    Process server = ax.start(logFile, "--ip", "198.18.50.4", "--expose", "8000:" + fixed, "--", RunIT.PYTHON, "-m", "http.server", "8000", "--directory", site.toString());
    servers.add(server);

    await().atMost(CLIENT_TIMEOUT).until(() -> !server.isAlive());
    assertThat(server.exitValue()).isNotZero();
    assertThat(Files.readString(logFile)).contains("Address already in use");
    assertThat(ax.serversAt("198.18.50.4:8000")).isZero();
    assertThat(daemon.logText()).doesNotContain("is taken outside this daemon");
  }
}
