package io.ax.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers from Debian that open an IPv6-only socket on {@code ::} beside their IPv4 one by
 * default, under {@code ax run}: redis-server ({@code bind * -::*}), memcached (one socket per
 * getaddrinfo answer, fatal on any bind error but EADDRINUSE) and Python asyncio's
 * {@code start_server(host=None)}. The bind used to fail with EINVAL and each exited (issue 17,
 * point 4); now each starts, answers a client in the mesh, and the IPv6-only socket publishes
 * nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Ipv6OnlyBindIT {
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
  /** One line to a TCP server, its first reply printed: the client, run under ax run. */
  private static final String ASK = """
      import socket, sys
      with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10) as s:
          s.sendall(sys.argv[3].encode() + b"\\r\\n")
          print(s.recv(200).decode().strip())
      """;
  /** An echo server on asyncio's default addresses; prints what its sockets are bound to. */
  private static final String ASYNCIO_ECHO = """
      import asyncio
      async def echo(reader, writer):
          writer.write(await reader.readline())
          await writer.drain()
          writer.close()
      async def main():
          server = await asyncio.start_server(echo, host=None, port=8888)
          print("serving on", sorted(str(s.getsockname()) for s in server.sockets), flush=True)
          await server.serve_forever()
      asyncio.run(main())
      """;

  @TempDir static Path tmp;
  private AxProcess.Daemon daemon;
  private AxRun ax;
  private final List<Process> servers = new ArrayList<>();

  @BeforeAll
  void startDaemon() {
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start();
    ax = new AxRun(daemon);
  }

  @AfterEach
  void stopServers() {
    servers.forEach(AxRun::stop);
    servers.clear();
  }

  @AfterAll
  void stopDaemon() {
    daemon.close();
  }

  private Process server(Path log, String... args) {
    Process p = ax.start(log, args);
    servers.add(p);
    return p;
  }

  private AxProcess.Result ask(String ip, int port, String line) {
    return ax.run(CLIENT_TIMEOUT, "--", RunIT.PYTHON, "-c", ASK, ip, Integer.toString(port), line);
  }

  @Test
  void redisServerDefaultBind_startsAndAnswersPing() throws Exception {
    Path log = tmp.resolve("redis.log");
    // Default listeners (bind * -::*, port 6379). Protected mode is off because it admits
    // loopback peers only, and a mesh client's peer address is the node's; --dir keeps the
    // snapshot written at shutdown in the test's directory.
    Process redis = server(log, "--ip", "198.18.8.1", "--", "redis-server", "--protected-mode", "no", "--dir", tmp.toString());
    ax.awaitServers("198.18.8.1:6379", 1, redis);

    AxProcess.Result r = ax.run(CLIENT_TIMEOUT, "--", "redis-cli", "-h", "198.18.8.1", "-p", "6379", "PING");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip()).isEqualTo("PONG");
    // Both listeners were made: the :: one is not skipped with a warning, and publishes nothing.
    assertThat(Files.readString(log)).doesNotContain("Could not create server TCP listening socket");
    assertThat(ax.serversAt("198.18.8.1:6379")).isEqualTo(1);
  }

  @Test
  void memcachedDefaultListeners_startsAndAnswersVersion() throws Exception {
    // -u root only because the test runs as root, which memcached refuses without it.
    Process memcached = server(tmp.resolve("memcached.log"), "--ip", "198.18.8.2", "--", "memcached", "-u", "root");
    ax.awaitServers("198.18.8.2:11211", 1, memcached);

    AxProcess.Result r = ask("198.18.8.2", 11211, "version");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("VERSION 1.");
    assertThat(ax.serversAt("198.18.8.2:11211")).isEqualTo(1);
  }

  @Test
  void asyncioStartServerHostNone_startsAndEchoes_ipv6SocketShowsAnyAddress() throws Exception {
    Path log = tmp.resolve("asyncio.log");
    Process echo = server(log, "--ip", "198.18.8.3", "--", RunIT.PYTHON, "-c", ASYNCIO_ECHO);
    ax.awaitServers("198.18.8.3:8888", 1, echo);

    AxProcess.Result r = ask("198.18.8.3", 8888, "hello over asyncio");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("hello over asyncio\n");
    // getsockname of the IPv6-only socket shows what the app bound, as the kernel would.
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("serving on"));
    assertThat(Files.readString(log)).contains("('::', 8888, 0, 0)");
    assertThat(ax.serversAt("198.18.8.3:8888")).isEqualTo(1);
  }
}
