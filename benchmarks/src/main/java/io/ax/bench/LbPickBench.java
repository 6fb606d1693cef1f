package io.ax.bench;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.lb.Candidate;
import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.PickContext;
import io.ax.core.lb.SharedLbState;
import io.ax.core.mesh.KernelConnectionCounts;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One pick of each {@link LbPolicy} over 10 backends: {@link LbPolicy#order} of 10 candidates
 * (the pick first, then the failover order), as the connect decision calls it.
 *
 * <ul>
 *   <li>{@code policy}: Random, RoundRobin, LeastConn, ConsistentHash.
 *   <li>{@code weights}: {@code equal} (all 1: Random shuffles, RoundRobin rotates by a ticket)
 *       or {@code weighted} (1 to 10: Random's weighted shuffle, RoundRobin's smooth weighted
 *       round robin, ConsistentHash's weighted ring; LeastConn ignores weights).
 * </ul>
 *
 * The balancer memory is the daemon's {@link SharedLbState}; LeastConn reads a
 * {@link KernelConnectionCounts} whose kernel source is a fixed table (0 to 9 connections per
 * backend), refreshed every 100 ms on a virtual thread as in the daemon. Each pick is for the
 * next of the fixture's 1,000 client IPs, so ConsistentHash does not hash one client over and
 * over. Average time per pick, single thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class LbPickBench {
  static final int BACKENDS = 10;
  static final String KEY = "svc-bench";

  @Param({"Random", "RoundRobin", "LeastConn", "ConsistentHash"})
  public String policy;

  @Param({"equal", "weighted"})
  public String weights;

  LbPolicy lbPolicy;
  List<Candidate<Inet4Endpoint>> candidates;
  SharedLbState lb;
  Ipv4[] clients;
  int next;

  @Setup
  public void setUp() {
    lbPolicy = LbPolicy.parse("policy", policy);
    boolean weighted = switch (weights) {
      case "equal" -> false;
      case "weighted" -> true;
      default -> throw new IllegalArgumentException("weights: '" + weights + "' is not equal or weighted");
    };
    List<Candidate<Inet4Endpoint>> list = new ArrayList<>(BACKENDS);
    Map<Inet4Endpoint, Integer> kernelCounts = new HashMap<>();
    for (int k = 0; k < BACKENDS; k++) {
      Inet4Endpoint at = Endpoints.of(MeshFixture.appIp(k), MeshFixture.APP_PORT);
      list.add(new Candidate<>(at, at, weighted ? k + 1 : 1));
      kernelCounts.put(at, k);
    }
    candidates = List.copyOf(list);
    Map<Inet4Endpoint, Integer> fixed = Map.copyOf(kernelCounts);
    lb = new SharedLbState(new KernelConnectionCounts(
        () -> fixed, KernelConnectionCounts.DEFAULT_REFRESH, System::nanoTime, KernelConnectionCounts.virtualThreads()));
    clients = new Ipv4[MeshFixture.APPS];
    for (int i = 0; i < clients.length; i++) {
      clients[i] = MeshFixture.appIp(i);
    }
  }

  @Benchmark
  public List<Inet4Endpoint> pick() {
    Ipv4 client = clients[next];
    next = next + 1 == clients.length ? 0 : next + 1;
    return lbPolicy.order(candidates, new PickContext(KEY, lb, client));
  }
}
