package io.ax.xds.pilot;

import ch.qos.logback.classic.Level;
import io.ax.xds.pilot.mesh.MeshOptions;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * How fast pilot-lite is at scale: start to first snapshot, a one-file change to the new snapshot,
 * and the heap it holds. Not a unit test (it takes tens of seconds); a later benchmark suite can
 * call {@link #main} or copy its protocol.
 *
 * <p>The config is {@code generate()} of {@code ci/bench/xds.py}: Services with a clusterIP and
 * port {@code http 9080 -> 8080}, each selecting its own WorkloadEntries, 1,000 services a file.
 * A change is what {@code xds.py propagation()} does: a DestinationRule for {@code svc-1} written
 * to a dotfile and renamed to {@code dr-svc-1.yaml}, alternating RANDOM and LEAST_REQUEST; it is
 * timed from the rename to the callback that follows {@code SimpleCache.setSnapshot}.
 *
 * <p>Run (Java 25; prints one line per measurement and a summary with medians):
 *
 * <pre>
 * ./mvnw -B -q -pl pilot-lite test-compile
 * ./mvnw -B -q -pl pilot-lite dependency:build-classpath -Dmdep.outputFile=/tmp/pilot-cp.txt
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -Xmx2g \
 *     -cp pilot-lite/target/test-classes:pilot-lite/target/classes:$(cat /tmp/pilot-cp.txt) \
 *     io.ax.xds.pilot.PilotScaleMeasure [services=10000] [endpoints=10] [changes=10] [starts=1]
 * </pre>
 *
 * Add {@code -XX:StartFlightRecording=filename=/tmp/pilot.jfr,settings=profile} to profile, then
 * {@code jfr view hot-methods /tmp/pilot.jfr}.
 */
public final class PilotScaleMeasure {
  private PilotScaleMeasure() {}

  public static void main(String[] args) throws Exception {
    int services = arg(args, 0, 10_000);
    int endpoints = arg(args, 1, 10);
    int changes = arg(args, 2, 10);
    int starts = arg(args, 3, 1);
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.ax.xds.pilot")).setLevel(Level.WARN);

    Path dir = Files.createTempDirectory("pilot-scale-");
    try {
      long bytes = generate(dir, services, endpoints);
      System.out.printf("config: %d services, %d WorkloadEntries, %.1f MB in %s%n", services, services * endpoints, bytes / 1e6, dir);
      List<Double> startMs = new ArrayList<>();
      List<Double> changeMs = new ArrayList<>();
      long heap = 0;
      for (int s = 0; s < starts; s++) {
        LinkedBlockingQueue<ServingState> states = new LinkedBlockingQueue<>();
        long t0 = System.nanoTime();
        try (PilotLite pilot = PilotLite.start(PilotConfig.of(dir).withListen("127.0.0.1", 0), states::add)) {
          startMs.add(ms(t0));
          System.out.printf("start %d: %.0f ms to the first snapshot (%s)%n", s + 1, startMs.getLast(), pilot.state().summary());
          heap = usedHeapAfterGc();
          System.out.printf("heap after start (after GC): %d MiB%n", heap >> 20);
          states.clear();
          for (int c = 0; c < changes; c++) {
            Cluster.LbPolicy want = c % 2 == 0 ? Cluster.LbPolicy.RANDOM : Cluster.LbPolicy.LEAST_REQUEST;
            Path tmp = dir.resolve(".dr.tmp");
            Files.writeString(tmp, destinationRule(want.name()));
            long t1 = System.nanoTime();
            Files.move(tmp, dir.resolve("dr-svc-1.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            awaitLb(states, want);
            changeMs.add(ms(t1));
            System.out.printf("change %d (%s): %.0f ms to the new snapshot%n", c + 1, want, changeMs.getLast());
            Thread.sleep(200); // as xds.py: let the rescan timer run between changes
            states.clear();
          }
          Files.delete(dir.resolve("dr-svc-1.yaml"));
        }
      }
      System.out.printf("SUMMARY services=%d endpoints=%d start_ms_median=%.0f change_ms_median=%.0f change_ms_max=%.0f heap_mib=%d%n",
          services, services * endpoints, median(startMs), median(changeMs), changeMs.stream().mapToDouble(d -> d).max().orElse(0), heap >> 20);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Waits for the snapshot where svc-1's cluster has {@code want}; a minute is a hang. */
  private static void awaitLb(LinkedBlockingQueue<ServingState> states, Cluster.LbPolicy want) throws InterruptedException {
    String cluster = "outbound|9080||svc-1.bench.svc.cluster.local";
    while (true) {
      ServingState s = states.poll(60, TimeUnit.SECONDS);
      if (s == null) {
        throw new IllegalStateException("no snapshot with " + cluster + " " + want + " within a minute");
      }
      boolean done = s.resources().clusters().stream().anyMatch(c -> c.getName().equals(cluster) && c.getLbPolicy() == want);
      if (done) {
        return;
      }
    }
  }

  /** The files of {@code xds.py generate()}, byte for byte. */
  static long generate(Path dir, int services, int endpoints) throws IOException {
    int perFile = 1000;
    long bytes = 0;
    for (int start = 0; start < services; start += perFile) {
      Path file = dir.resolve(String.format("svc-%05d.yaml", start));
      try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        for (int i = start; i < Math.min(services, start + perFile); i++) {
          w.write("apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-" + i + "\n  namespace: bench\nspec:\n"
              + "  clusterIP: 10.96." + i / 250 + "." + (i % 250 + 1) + "\n  selector:\n    app: svc-" + i + "\n"
              + "  ports:\n  - name: http\n    port: 9080\n    targetPort: 8080\n---\n");
          for (int j = 0; j < endpoints; j++) {
            int n = i * endpoints + j;
            w.write("apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata:\n  name: svc-" + i + "-" + j + "\n"
                + "  namespace: bench\nspec:\n  address: 10." + (128 + n / 65536) + "." + n / 256 % 256 + "." + n % 256 + "\n"
                + "  labels:\n    app: svc-" + i + "\n---\n");
          }
        }
      }
      bytes += Files.size(file);
    }
    return bytes;
  }

  static String destinationRule(String lb) {
    return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: svc-1\n  namespace: bench\n"
        + "spec:\n  host: svc-1\n  trafficPolicy:\n    loadBalancer:\n      simple: " + lb + "\n";
  }

  private static long usedHeapAfterGc() {
    Runtime r = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return r.totalMemory() - r.freeMemory();
  }

  private static double ms(long since) {
    return (System.nanoTime() - since) / 1e6;
  }

  private static double median(List<Double> xs) {
    List<Double> s = xs.stream().sorted().toList();
    return s.isEmpty() ? 0 : s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }

  private static int arg(String[] args, int i, int otherwise) {
    return args.length > i ? Integer.parseInt(args[i]) : otherwise;
  }
}
