package io.ax.bench;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Backend;
import io.ax.core.model.Labels;
import io.ax.core.model.PortMapping;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A node's state at the size the benchmarks ask for (issue 7: 1,000 apps and 10,000 vservices),
 * built with the real model classes so every index the connect decision and the DNS read is the
 * daemon's own. Deterministic: no randomness, so two runs measure the same state.
 *
 * <ul>
 *   <li>App {@code i} ({@code app-i}, IP {@code 10.1.x.y}, labels {@code zone=default}) listens on
 *       TCP {@code app-ip:8080}, really bound at {@code 192.168.0.1:(20000+i)}.
 *   <li>VService {@code j} ({@code svc-j}, vIP {@code 10.96.x.y}, port 80 to 8080, Istio-like
 *       hostname {@code svc-j.default.svc.cluster.local}, owned by the xds-agent) has 10 backends:
 *       the IPs of apps {@code 10j..10j+9} modulo 1,000, so each backend names a service table
 *       entry. Policies cycle Random, RoundRobin, LeastConn, ConsistentHash by {@code j % 4}.
 * </ul>
 *
 * Immutable after construction; safe to share between benchmark threads.
 */
public final class MeshFixture {
  public static final int APPS = 1_000;
  public static final int VSERVICES = 10_000;
  public static final int BACKENDS_PER_VSERVICE = 10;
  public static final int APP_PORT = 8080;
  public static final int VPORT = 80;
  static final Ipv4 NODE_IP = Ipv4.parse("node", "192.168.0.1");
  static final int POOL_BASE = 20_000;
  private static final List<LbPolicy> POLICIES =
      List.of(LbPolicy.RANDOM, LbPolicy.ROUND_ROBIN, LbPolicy.LEAST_CONN, LbPolicy.CONSISTENT_HASH);

  private final DataplaneState state;
  private final List<App> apps;

  public MeshFixture() {
    List<App> appList = new ArrayList<>(APPS);
    List<ServerEntry> servers = new ArrayList<>(APPS);
    for (int i = 0; i < APPS; i++) {
      App app = new App(new AppId(String.format("a%07x", i)), "app-" + i, "node-1", "cluster-1", appIp(i), "user", Labels.DEFAULT, 10_000 + i);
      appList.add(app);
      servers.add(new ServerEntry("srv-" + i, app.id(), app.name(), Transport.TCP, Endpoints.of(app.appIp(), APP_PORT),
          Endpoints.of(NODE_IP, POOL_BASE + i), app.labels(), "node-1", "cluster-1"));
    }
    List<VService> vservices = new ArrayList<>(VSERVICES);
    for (int j = 0; j < VSERVICES; j++) {
      List<Backend> backends = new ArrayList<>(BACKENDS_PER_VSERVICE);
      for (int k = 0; k < BACKENDS_PER_VSERVICE; k++) {
        backends.add(Backend.of(appIp((j * BACKENDS_PER_VSERVICE + k) % APPS)));
      }
      vservices.add(new VService("svc-" + j, vip(j), List.of(new PortMapping(VPORT, APP_PORT)), backends, POLICIES.get(j % POLICIES.size()),
          VService.Exposure.INTERNAL, Optional.empty(), List.of(), List.of("svc-" + j + ".default.svc.cluster.local"), "xds-agent"));
    }
    this.apps = List.copyOf(appList);
    this.state = DataplaneState.of(appList, servers, List.of(), vservices);
  }

  public DataplaneState state() {
    return state;
  }

  public App app(int i) {
    return apps.get(i);
  }

  /** App {@code i}'s IP: 10.1.0.0/16. */
  public static Ipv4 appIp(int i) {
    return Ipv4.parse("app", "10.1." + (i / 256) + "." + (i % 256));
  }

  /** VService {@code j}'s vIP: 10.96.0.0/16. */
  public static Ipv4 vip(int j) {
    return Ipv4.parse("vip", "10.96." + (j / 256) + "." + (j % 256));
  }

  /** The policy {@code svc-j} balances with. */
  public static LbPolicy policyOf(int j) {
    return POLICIES.get(j % POLICIES.size());
  }
}
