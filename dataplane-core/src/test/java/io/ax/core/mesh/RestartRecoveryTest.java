package io.ax.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.bridge.SocketPolicy.BindDecision;
import io.ax.bridge.SocketPolicy.PortChoice;
import io.ax.bridge.SocketPolicy.Registration;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.lb.ConnectionCounts;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.ports.PortPool;
import io.ax.core.ports.PortRanges;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StatePersistence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link RestartRecovery} over a restored state on node n1 (pool 40000-40009): app {@code 000000a1}
 * (supervisor pid 101) serves at 40001, {@code 000000b2} (pid 202) at 40002, {@code 000000c3}
 * (pid 303) at 40003 and at 8080 (an --expose port, outside the pool); node n2's entry for
 * {@code 000000a1} holds 40004 there. The grace period passes on a {@link FakeScheduler}.
 */
class RestartRecoveryTest {
  static final Duration GRACE = Duration.ofSeconds(30);
  static final MeshSocketPolicy.Node N1 = new MeshSocketPolicy.Node("n1", "appswitch", Ipv4.parse("ip", "192.0.2.10"));
  static final AppId A = new AppId("000000a1");
  static final AppId B = new AppId("000000b2");
  static final AppId C = new AppId("000000c3");

  /** What the adopter (the bridge, in the daemon) was handed. */
  record Adopted(String appId, long inode, Transport transport, Inet4Endpoint virtual, Inet4Endpoint real) {}

  private final FakeScheduler scheduler = new FakeScheduler();
  private final PortPool pool = new PortPool(PortRanges.parse("--ports", "40000-40009"));
  private final PortLeases leases = new PortLeases(pool);
  private DataplaneStore store;
  private AppRegistry apps;

  /** A saved app of user 1000 (alice), who registers it again in these tests. */
  private static App app(AppId id, long pid) {
    return new App(id, "app-" + id, "n1", "appswitch", Ipv4.parse("ip", "10.0.0." + (pid / 100)), "user", Labels.DEFAULT, pid, List.of(), 1000);
  }

  private static ServerEntry server(String id, AppId app, String node, int hostPort) {
    return new ServerEntry(
        id, app, "app-" + app, Transport.TCP, Endpoints.of("10.0.0.1", 80), Endpoints.of("192.0.2.10", hostPort), Labels.DEFAULT, node, "appswitch");
  }

  private static SocketEntry socket(String id, AppId app, String node, long inode) {
    return new SocketEntry(id, node, app, inode, Transport.TCP, 0, Endpoints.of("10.0.0.1", 80), 128);
  }

  private static DataplaneState restored() {
    return DataplaneState.of(
        List.of(app(A, 101), app(B, 202), app(C, 303)),
        List.of(
            server("n1/1", A, "n1", 40001),
            server("n1/2", B, "n1", 40002),
            server("n1/3", C, "n1", 40003),
            server("n1/4", C, "n1", 8080),
            server("n2/5", A, "n2", 40004)),
        List.of(socket("n1/1", A, "n1", 1), socket("n1/2", B, "n1", 2), socket("n1/3", C, "n1", 3), socket("n1/4", C, "n1", 4), socket("n2/5", A, "n2", 5)),
        List.of());
  }

  /** A recovery of {@link #restored()} in which the supervisors with these pids are alive. */
  private RestartRecovery recovery(Set<Long> alivePids) {
    store = new DataplaneStore(restored(), StatePersistence.NONE);
    apps = new AppRegistry(store, N1, new SplittableRandom(1));
    return new RestartRecovery(store, apps, leases, "n1", alivePids::contains, scheduler, GRACE);
  }

  /** The app's supervisor registers again with the flags it had, as after a daemon restart. */
  private void registersAgain(AppId id) {
    App before = store.current().apps().get(id);
    apps.register(new Registration(id.value(), 77, (int) before.pid(), 1000, before.appIp().toString(), "", "zone=default", List.of(), "alice", true, 1000, List.of()));
  }

  @Test
  void restorePorts_thisNodesEntriesInThePool_leasedToTheirApps() {
    RestartRecovery r = recovery(Set.of(101L, 202L, 303L));

    r.restorePorts();

    assertThat(leases.heldBy(A)).containsExactly(40001);
    assertThat(leases.heldBy(B)).containsExactly(40002);
    assertThat(leases.heldBy(C)).as("8080 is not the pool's").containsExactly(40003);
    assertThat(pool.inUse()).as("n2's 40004 is that node's").isEqualTo(3);
  }

  @Test
  void forgetDeadApps_deadSupervisor_appWithItsEntriesAndPortsGone() {
    RestartRecovery r = recovery(Set.of(101L, 303L));
    r.restorePorts();

    r.forgetDeadApps();

    DataplaneState s = store.current();
    assertThat(s.apps()).containsOnlyKeys(A, C);
    assertThat(s.servers()).containsOnlyKeys("n1/1", "n1/3", "n1/4", "n2/5");
    assertThat(s.sockets()).doesNotContainKey("n1/2");
    assertThat(leases.heldBy(B)).isEmpty();
    assertThat(pool.inUse()).isEqualTo(2);
    assertThat(pool.reserve(40002)).as("40002 is free again").isTrue();
  }

  @Test
  void adoptRestored_thisNodesSockets_handedToTheBridgeWithTheirAddresses() {
    RestartRecovery r = recovery(Set.of(101L, 202L, 303L));
    List<Adopted> adopted = new ArrayList<>();

    r.adoptRestored((app, inode, transport, virtual, real) -> adopted.add(new Adopted(app, inode, transport, virtual, real)));

    assertThat(adopted).containsExactly(
        new Adopted("000000a1", 1, Transport.TCP, Endpoints.of("10.0.0.1", 80), Endpoints.of("192.0.2.10", 40001)),
        new Adopted("000000b2", 2, Transport.TCP, Endpoints.of("10.0.0.1", 80), Endpoints.of("192.0.2.10", 40002)),
        new Adopted("000000c3", 3, Transport.TCP, Endpoints.of("10.0.0.1", 80), Endpoints.of("192.0.2.10", 40003)),
        new Adopted("000000c3", 4, Transport.TCP, Endpoints.of("10.0.0.1", 80), Endpoints.of("192.0.2.10", 8080)));
  }

  @Test
  void adoptRestored_entryWithoutSocket_notAdopted() {
    RestartRecovery r = recovery(Set.of());
    store.removeSocket("n1/1");
    List<Adopted> adopted = new ArrayList<>();

    r.adoptRestored((app, inode, transport, virtual, real) -> adopted.add(new Adopted(app, inode, transport, virtual, real)));

    assertThat(adopted).extracting(Adopted::inode).containsExactly(2L, 3L, 4L);
  }

  @ParameterizedTest(name = "{0}: registers again {1} -> kept {2}")
  @CsvSource(delimiter = '|', value = {
    // app     | registers again | kept after the grace period
    "000000a1  | true            | true",
    "000000a1  | false           | false",
    "000000c3  | true            | true",
    "000000c3  | false           | false",
  })
  void scheduleForgetUnreturned_afterTheGrace_keepsOnlyAppsThatRegisteredAgain(String app, boolean registers, boolean kept) {
    AppId id = new AppId(app);
    RestartRecovery r = recovery(Set.of(101L, 202L, 303L));
    r.restorePorts();
    r.scheduleForgetUnreturned();
    if (registers) {
      registersAgain(id);
    }

    scheduler.advance(GRACE);

    assertThat(store.current().apps().containsKey(id)).isEqualTo(kept);
    assertThat(store.current().servers().values().stream().anyMatch(e -> e.appId().equals(id) && e.nodeId().equals("n1"))).isEqualTo(kept);
    assertThat(leases.heldBy(id).isEmpty()).isEqualTo(!kept);
  }

  @Test
  void scheduleForgetUnreturned_beforeTheGraceEnds_forgetsNothing() {
    RestartRecovery r = recovery(Set.of(101L, 202L, 303L));
    r.scheduleForgetUnreturned();

    scheduler.advance(GRACE.minusNanos(1));

    assertThat(store.current().apps()).containsOnlyKeys(A, B, C);
    assertThat(scheduler.pending()).isEqualTo(1);
    assertThat(scheduler.tasks().getFirst().dueAt).isEqualTo(GRACE);
  }

  @Test
  void scheduleForgetUnreturned_afterForgetDeadApps_forgetsTheRestThatStayedAway() {
    RestartRecovery r = recovery(Set.of(101L, 303L));
    r.restorePorts();
    r.forgetDeadApps();
    r.scheduleForgetUnreturned();
    registersAgain(C);

    scheduler.advance(GRACE);

    assertThat(store.current().apps()).containsOnlyKeys(C);
    // n2's entry naming the same app id is n2's to remove, not this node's.
    assertThat(store.current().servers()).containsOnlyKeys("n1/3", "n1/4", "n2/5");
    assertThat(leases.heldBy(C)).containsExactly(40003);
    assertThat(pool.inUse()).isEqualTo(1);
  }

  @Test
  void scheduleForgetUnreturned_cancelled_forgetsNothing() {
    RestartRecovery r = recovery(Set.of(101L, 202L, 303L));

    r.scheduleForgetUnreturned().cancel();
    scheduler.advance(GRACE.multipliedBy(2));

    assertThat(store.current().apps()).containsOnlyKeys(A, B, C);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void scheduleForgetUnreturned_noRestoredApps_schedulesNothing() {
    store = new DataplaneStore(DataplaneState.EMPTY, StatePersistence.NONE);
    apps = new AppRegistry(store, N1, new SplittableRandom(1));
    RestartRecovery r = new RestartRecovery(store, apps, leases, "n1", pid -> true, scheduler, GRACE);

    r.scheduleForgetUnreturned().cancel();

    assertThat(scheduler.tasks()).isEmpty();
  }

  @Test
  void restoredEntry_withdrawnAfterTheAppRegisteredAgain_portBackToThePool() {
    // The lease that restorePorts made is the one the policy gives back when the socket closes.
    RestartRecovery r = recovery(Set.of(101L, 202L, 303L));
    r.restorePorts();
    MeshSocketPolicy policy = new MeshSocketPolicy(store, N1, apps, leases, new Loopbacks(), ConnectionCounts.NONE);
    registersAgain(A);

    policy.withdrawn("000000a1", 1);

    assertThat(store.current().servers()).doesNotContainKey("n1/1");
    assertThat(leases.heldBy(A)).isEmpty();
    assertThat(policy.bind("000000a1", Transport.TCP, Endpoints.of("0.0.0.0", 81)))
        .as("next-fit: 40000 comes before the released 40001")
        .isEqualTo(new BindDecision.Real(Endpoints.of("192.0.2.10", 40000), Endpoints.of("10.0.0.1", 81), PortChoice.PICKED));
    assertThat(pool.inUse()).isEqualTo(3);
  }

  @Test
  void constructor_negativeGrace_refused() {
    store = new DataplaneStore(DataplaneState.EMPTY, StatePersistence.NONE);
    apps = new AppRegistry(store, N1, new SplittableRandom(1));

    assertThatThrownBy(() -> new RestartRecovery(store, apps, leases, "n1", pid -> true, scheduler, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("grace");
  }
}
