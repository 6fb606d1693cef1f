package io.ax.it;

import static io.ax.it.ItAdminClient.subset;
import static io.ax.it.ItAdminClient.vs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ax.admin.v1.LbType;
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
 * The new policies with real connections under {@code ax run}: least connections counted by the
 * kernel, and a weighted subset split. Servers are small Python TCP servers that send their id
 * and keep the connection until the client closes it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LbRunIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** Sends its id on each connection, then holds it open until the client closes. */
  static final String SERVER = """
      import socket, sys, threading
      ident, port = sys.argv[1], int(sys.argv[2])
      s = socket.socket()
      s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
      s.bind(('0.0.0.0', port))
      s.listen(512)
      def serve(c):
          try:
              c.sendall((ident + '\\n').encode())
              while c.recv(1024):
                  pass
          finally:
              c.close()
      while True:
          c, _ = s.accept()
          threading.Thread(target=serve, args=(c,), daemon=True).start()
      """;
  /** Opens N connections, prints each server's id, says "held" and keeps them. */
  static final String HOLDER = """
      import socket, sys, time
      host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
      held = []
      for i in range(n):
          c = socket.create_connection((host, port), timeout=10)
          f = c.makefile()
          print(f.readline().strip(), flush=True)
          held.append((c, f))
      print('held', flush=True)
      time.sleep(600)
      """;
  /** Makes N connections one after another, printing each server's id, closing each. */
  static final String CLIENT = """
      import socket, sys
      host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
      for i in range(n):
          c = socket.create_connection((host, port), timeout=10)
          f = c.makefile()
          print(f.readline().strip(), flush=True)
          f.close()
          c.close()
      """;

  @TempDir static Path tmp;
  private AxProcess.Daemon daemon;
  private AxRun ax;
  private final List<Process> apps = new ArrayList<>();

  @BeforeAll
  void startDaemon() {
    daemon = new AxProcess.Daemon(tmp.resolve("run")).start();
    ax = new AxRun(daemon);
  }

  @AfterEach
  void stopApps() {
    apps.forEach(AxRun::stop);
    apps.clear();
  }

  @AfterAll
  void stopDaemon() {
    daemon.close();
  }

  private Process server(String id, String ip, int port) {
    Process p = ax.start(tmp.resolve("server-" + id + ".log"), "--ip", ip, "--", RunIT.PYTHON, "-c", SERVER, id, Integer.toString(port));
    apps.add(p);
    return p;
  }

  private List<String> client(String host, int port, int connections) {
    AxProcess.Result r = ax.run(TIMEOUT, "--", RunIT.PYTHON, "-c", CLIENT, host, Integer.toString(port), Integer.toString(connections));
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out().lines().toList();
  }

  @Test
  void leastConn_connectionsHeldToA_nextConnectionsGoToB() throws Exception {
    Process a = server("A", "10.210.0.1", 7000);
    Process b = server("B", "10.210.0.2", 7000);
    ax.awaitServers("10.210.0.1:7000", 1, a);
    ax.awaitServers("10.210.0.2:7000", 1, b);
    AxProcess.Result created = daemon.ax("create", "vservice", "lc", "--ip", "10.210.0.100", "--ports", "7000", "--backends", "10.210.0.1,10.210.0.2", "--lbtype", "LeastConn");
    assertThat(created.exit()).as(created.err()).isZero();
    assertThat(daemon.ax("get", "vservices").out()).contains("LeastConn");
    // Eight long-lived connections to A, by its own address (not through the vservice).
    Path holderLog = tmp.resolve("holder.log");
    Process holder = ax.start(holderLog, "--", RunIT.PYTHON, "-c", HOLDER, "10.210.0.1", "7000", "8");
    apps.add(holder);
    await().atMost(TIMEOUT).until(() -> {
      assertThat(holder.isAlive()).as("holder exited: %s", Files.exists(holderLog) ? Files.readString(holderLog) : "").isTrue();
      return Files.exists(holderLog) && Files.readString(holderLog).contains("held");
    });

    // The connect decision answers from the last counts read and asks for fresh ones in the
    // background: the first picks may predate the holder. Once the counts have it, B wins.
    await().atMost(TIMEOUT).until(() -> client("10.210.0.100", 7000, 1).equals(List.of("B")));

    // Four connections one after another through the vservice: B has fewer open connections
    // each time (it never gets to eight), so every one goes to B.
    List<String> ids = client("10.210.0.100", 7000, 4);

    assertThat(ids).containsExactly("B", "B", "B", "B");
  }

  @Test
  void subsets_eightyTwenty_hundredConnectionsSplitExactly() throws Exception {
    Process v1 = server("v1", "10.211.0.1", 7001);
    Process v2 = server("v2", "10.211.0.2", 7001);
    ax.awaitServers("10.211.0.1:7001", 1, v1);
    ax.awaitServers("10.211.0.2:7001", 1, v2);
    try (ItAdminClient admin = new ItAdminClient(daemon)) {
      var r = admin.apply("lb-it", List.of(vs("split", "10.211.0.100", 7001, LbType.ROUND_ROBIN)
          .addSubsets(subset("v1", 80, LbType.ROUND_ROBIN, "10.211.0.1"))
          .addSubsets(subset("v2", 20, LbType.ROUND_ROBIN, "10.211.0.2"))
          .build()));
      assertThat(r.getCreated()).as(r.toString()).isEqualTo(1);
    }
    assertThat(daemon.ax("get", "vservices").out()).contains("v1=80%[10.211.0.1] v2=20%[10.211.0.2]");

    List<String> ids = client("10.211.0.100", 7001, 100);

    assertThat(ids).hasSize(100);
    assertThat(ids.stream().filter("v1"::equals).count()).isEqualTo(80);
    assertThat(ids.stream().filter("v2"::equals).count()).isEqualTo(20);
    // Smooth: never more than four v1 in a row.
    assertThat(String.join("", ids.stream().map(s -> s.equals("v1") ? "a" : "b").toList())).doesNotContain("aaaaa");
  }
}
