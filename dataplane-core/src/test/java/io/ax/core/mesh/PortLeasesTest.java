package io.ax.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.model.ServerEntry;
import io.ax.core.net.Endpoints;
import io.ax.core.ports.PortPool;
import io.ax.core.ports.PortRanges;
import io.ax.core.state.DataplaneState;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link PortLeases} over a three-port pool (40000-40002) with a hand-moved clock. */
class PortLeasesTest {
  static final AppId A = new AppId("000000a1");
  static final AppId B = new AppId("000000b2");

  private final AtomicLong nanos = new AtomicLong();
  private final PortPool pool = new PortPool(PortRanges.parse("--ports", "40000-40002"), Duration.ofSeconds(60), nanos::get);
  private final PortLeases leases = new PortLeases(pool);

  private int lease(AppId app) {
    return leases.lease(app).orElseThrow();
  }

  @Test
  void lease_poolPortsInTurn_heldByTheApp() {
    assertThat(lease(A)).isEqualTo(40000);
    assertThat(lease(B)).isEqualTo(40001);
    assertThat(lease(A)).isEqualTo(40002);

    assertThat(leases.heldBy(A)).containsExactlyInAnyOrder(40000, 40002);
    assertThat(leases.heldBy(B)).containsExactly(40001);
    assertThat(leases.lease(A)).as("the pool is empty").isEmpty();
    assertThat(leases.heldBy(A)).hasSize(2);
  }

  /** Each row: what happens to the port A leased (40000), and who holds it and whether the pool does after. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    // step                    | A holds 40000 | pool has it in use
    "release by A              | false         | false",
    "release by B              | true          | true",
    "release of 8080 by A      | true          | true",
    "busy by A                 | false         | false",
    "busy by B                 | true          | true",
    "releaseAll of A           | false         | false",
    "releaseAll of B           | true          | true",
  })
  void step_onAsLease_onlyTheHolderGivesItBack(String step, boolean held, boolean inUse) {
    int port = lease(A);
    AppId who = step.contains("by B") || step.endsWith("of B") ? B : A;
    int which = step.contains("8080") ? 8080 : port;

    switch (step.split(" ")[0]) {
      case "release" -> leases.release(who, which);
      case "busy" -> leases.busy(who, which);
      case "releaseAll" -> leases.releaseAll(who);
      default -> throw new IllegalArgumentException(step);
    }

    assertThat(leases.heldBy(A).contains(port)).isEqualTo(held);
    assertThat(pool.inUse()).isEqualTo(inUse ? 1 : 0);
  }

  @Test
  void busy_heldPort_trueAndThePoolSkipsItForItsBusyTime() {
    int port = lease(A);

    assertThat(leases.busy(A, port)).isTrue();
    assertThat(leases.busy(A, port)).as("no longer held").isFalse();
    assertThat(lease(B)).isEqualTo(40001);
    assertThat(lease(B)).isEqualTo(40002);
    assertThat(leases.lease(B)).as("only the busy port is left: given, it may be free by now").hasValue(40000);
  }

  @Test
  void release_twiceFromTwoThreads_givesThePortBackOnce() throws InterruptedException {
    int port = lease(A);
    int other = lease(B);
    leases.release(B, other);
    CountDownLatch go = new CountDownLatch(1);
    Runnable release = () -> {
      try {
        go.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      leases.release(A, port);
    };
    Thread t1 = Thread.ofVirtual().start(release);
    Thread t2 = Thread.ofVirtual().start(release);
    go.countDown();
    t1.join();
    t2.join();

    assertThat(pool.inUse()).isZero();
    assertThat(leases.heldBy(A)).isEmpty();
  }

  private static ServerEntry entry(String id, AppId app, String node, int hostPort) {
    return new ServerEntry(id, app, "s", Transport.TCP, Endpoints.of("10.0.0.1", 80), Endpoints.of("192.0.2.10", hostPort), Labels.DEFAULT, node, "c");
  }

  @ParameterizedTest(name = "entries {0} -> A holds {1}, B holds {2}")
  @CsvSource(delimiter = '|', value = {
    // entries (app:node:port ...)          | A holds       | B holds
    "A:n1:40000                             | 40000         | ''",
    "A:n1:40000 B:n1:40002                  | 40000         | 40002",
    "A:n2:40000                             | ''            | ''",
    "A:n1:8080                              | ''            | ''",
    "A:n1:40000 B:n1:40000                  | 40000         | ''",
    "A:n1:40000 A:n1:40001 B:n2:40002       | 40000 40001   | ''",
  })
  void restore_entriesOfThisNodeInThePool_leasedOnceEach(String entries, String heldByA, String heldByB) {
    String[] items = entries.split(" ");
    List<ServerEntry> servers = new java.util.ArrayList<>();
    for (int i = 0; i < items.length; i++) {
      String[] f = items[i].split(":");
      servers.add(entry(f[1] + "/" + i, f[0].equals("A") ? A : B, f[1], Integer.parseInt(f[2])));
    }

    leases.restore(DataplaneState.of(List.of(), servers, List.of(), List.of()), "n1");

    assertThat(leases.heldBy(A)).containsExactlyInAnyOrderElementsOf(ports(heldByA));
    assertThat(leases.heldBy(B)).containsExactlyInAnyOrderElementsOf(ports(heldByB));
    assertThat(pool.inUse()).isEqualTo(ports(heldByA).size() + ports(heldByB).size());
  }

  private static List<Integer> ports(String text) {
    return text.isBlank() ? List.of() : Arrays.stream(text.split(" ")).map(Integer::valueOf).toList();
  }

  @Test
  void restore_thenReleaseAll_everyRestoredPortFreeAgain() {
    leases.restore(DataplaneState.of(List.of(), List.of(entry("n1/1", A, "n1", 40001), entry("n1/2", A, "n1", 40002)), List.of(), List.of()), "n1");

    leases.releaseAll(A);

    assertThat(pool.inUse()).isZero();
  }
}
