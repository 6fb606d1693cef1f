package io.ax.bench;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.decision.ConnectDecider;
import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.SharedLbState;
import io.ax.core.model.App;
import io.ax.core.net.Endpoints;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The connect decision ({@link ConnectDecider#decide}) that the daemon makes for every trapped
 * {@code connect()}, on a {@link MeshFixture} state (1,000 apps, 10,000 vservices):
 *
 * <ul>
 *   <li>{@link #vservice}: app 0 connects to {@code svc-4241}'s vIP:80 (RoundRobin, 10 backends
 *       that are service table entries sharing the client's label): the frontend lookup, the
 *       label ACL per backend, the candidate list and the policy's order. The result is a
 *       {@link ConnectDecision.Targets} of 10 targets.
 *   <li>{@link #direct}: app 0 connects to an address outside the mesh: the three index lookups
 *       that find nothing, then {@link ConnectDecision#DIRECT}.
 * </ul>
 *
 * Average time per decision, single thread. The balancer memory ({@link SharedLbState}) lives as
 * long as the trial, as the daemon's does. Results are returned, so JMH sinks them into its
 * Blackhole.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ConnectDecisionBench {
  /** A RoundRobin vservice (4241 % 4 == 1), away from the start of every sorted map. */
  static final int VSERVICE = 4241;

  MeshFixture mesh;
  App client;
  Inet4Endpoint vserviceAddr;
  Inet4Endpoint directAddr;
  SharedLbState lb;

  @Setup
  public void setUp() {
    mesh = new MeshFixture();
    client = mesh.app(0);
    vserviceAddr = Endpoints.of(MeshFixture.vip(VSERVICE), MeshFixture.VPORT);
    directAddr = Endpoints.of("93.184.216.34", 443);
    lb = new SharedLbState();
    if (MeshFixture.policyOf(VSERVICE) != LbPolicy.ROUND_ROBIN) {
      throw new IllegalStateException("svc-" + VSERVICE + " should be RoundRobin, the fixture changed");
    }
  }

  @Benchmark
  public ConnectDecision vservice() {
    return ConnectDecider.decide(mesh.state(), client, vserviceAddr, lb);
  }

  @Benchmark
  public ConnectDecision direct() {
    return ConnectDecider.decide(mesh.state(), client, directAddr, lb);
  }
}
