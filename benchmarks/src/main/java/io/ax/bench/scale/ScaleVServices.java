package io.ax.bench.scale;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.VService;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The vservice set of {@code ci/bench/scale.sh}: what an xDS agent would push for a mesh of
 * {@code apps} workloads, as admin API messages. Deterministic, so two runs load the same table.
 *
 * <ul>
 *   <li>VService {@code j} ({@code svc-j}, vIP {@code 10.96.x.y}, port 80 to 8080, hostname
 *       {@code svc-j.bench.svc.cluster.local}) has {@link #BACKENDS} backends: the IPs of apps
 *       {@code 10j..10j+9} modulo {@code apps} ({@link #appIp}, the IPs scale.sh starts its
 *       {@code ax run} apps with). Policies cycle as in the JMH {@code MeshFixture}: Random,
 *       RoundRobin, LeastConn, ConsistentHash by {@code j % 4}; every fifth RoundRobin one weighs
 *       its backends unevenly, as EDS weights would.
 *   <li>One of them, {@link #TARGET} (in the middle of the set, so it is no first or last entry of
 *       any index), is the service the connect benchmark dials: vIP {@link #TARGET_VIP} port
 *       {@link #TARGET_VPORT}, one backend, the benchmark's own server app.
 * </ul>
 *
 * Pure; the lists it returns are immutable.
 */
public final class ScaleVServices {
  public static final int BACKENDS = 10;
  public static final int VPORT = 80;
  public static final int APP_PORT = 8080;
  public static final String TARGET = "bench-target";
  /** Outside 10.96.0.0/16, so a set of any size never hands the target's vIP to another vservice. */
  public static final String TARGET_VIP = "10.97.0.1";
  public static final int TARGET_VPORT = 80;
  /** App IPs are 10.1.0.0/16, room for this many apps. */
  public static final int MAX_APPS = 65_536;
  /** vIPs are 10.96.0.0/16. */
  public static final int MAX_VSERVICES = 65_536;

  private static final List<LbType> POLICIES = List.of(LbType.RANDOM, LbType.ROUND_ROBIN, LbType.LEAST_CONN, LbType.CONSISTENT_HASH);

  private ScaleVServices() {}

  /**
   * {@code count} vservices, one of which is the target on {@code serverIp:serverPort}; the other
   * {@code count - 1} balance over the first {@code apps} app IPs.
   *
   * @throws IllegalArgumentException when {@code count} is not in 1..65,536, or {@code apps} is not
   *     in 1..65,536 while there are other vservices than the target
   */
  public static List<VService> build(int count, int apps, String serverIp, int serverPort) {
    Objects.requireNonNull(serverIp, "serverIp");
    if (count < 1 || count > MAX_VSERVICES) {
      throw new IllegalArgumentException("count: " + count + " is not in 1.." + MAX_VSERVICES);
    }
    if (count > 1 && (apps < 1 || apps > MAX_APPS)) {
      throw new IllegalArgumentException("apps: " + apps + " is not in 1.." + MAX_APPS);
    }
    if (serverPort < 1 || serverPort > 65_535) {
      throw new IllegalArgumentException("serverPort: " + serverPort + " is not a port");
    }
    List<VService> out = new ArrayList<>(count);
    int targetAt = (count - 1) / 2;
    for (int j = 0; j < count - 1; j++) {
      if (j == targetAt) {
        out.add(target(serverIp, serverPort));
      }
      out.add(filler(j, apps));
    }
    if (out.size() < count) {
      out.add(target(serverIp, serverPort));
    }
    return List.copyOf(out);
  }

  /** App {@code i}'s IP: 10.1.0.0/16. */
  public static String appIp(int i) {
    return "10.1." + (i / 256) + "." + (i % 256);
  }

  /** VService {@code j}'s vIP: 10.96.0.0/16. */
  public static String vip(int j) {
    return "10.96." + (j / 256) + "." + (j % 256);
  }

  private static VService filler(int j, int apps) {
    LbType lb = POLICIES.get(j % POLICIES.size());
    boolean weighted = lb == LbType.ROUND_ROBIN && j % 5 == 1;
    VService.Builder b = VService.newBuilder()
        .setName("svc-" + j)
        .setIp(vip(j))
        .setLbType(lb)
        .addPorts(PortMapping.newBuilder().setVport(VPORT).setAppPort(APP_PORT))
        .addHostnames("svc-" + j + ".bench.svc.cluster.local");
    // Backends are distinct IPs while apps >= BACKENDS; with fewer apps the set shrinks, since the
    // daemon rejects a vservice that names one backend twice.
    int n = Math.min(BACKENDS, apps);
    for (int k = 0; k < n; k++) {
      b.addBackends(Backend.newBuilder().setIp(appIp((j * BACKENDS + k) % apps)).setWeight(weighted ? 1 + k % 3 : 0));
    }
    return b.build();
  }

  private static VService target(String serverIp, int serverPort) {
    return VService.newBuilder()
        .setName(TARGET)
        .setIp(TARGET_VIP)
        .setLbType(LbType.RANDOM)
        .addPorts(PortMapping.newBuilder().setVport(TARGET_VPORT).setAppPort(serverPort))
        .addHostnames(TARGET + ".bench.svc.cluster.local")
        .addBackends(Backend.newBuilder().setIp(serverIp))
        .build();
  }
}
