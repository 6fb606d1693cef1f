package io.ax.bench.translate;

import com.google.protobuf.Any;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.VService;
import io.ax.xds.resource.ClusterResource;
import io.ax.xds.resource.EndpointResource;
import io.ax.xds.resource.InvalidResourceException;
import io.ax.xds.resource.ListenerResource;
import io.ax.xds.resource.ResourceParser;
import io.ax.xds.resource.ResourceType;
import io.ax.xds.resource.RouteResource;
import io.ax.xds.resource.XdsResource;
import io.ax.xds.translate.Translation;
import io.ax.xds.translate.Translator;
import io.ax.xds.translate.XdsSnapshot;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The xDS agent's real path at scale, for {@code ci/bench/translate.sh}: {@link IstioMesh}'s
 * resources, packed as a discovery response carries them, are parsed into the agent's records
 * ({@link ResourceParser}, as the ADS client does for each resource) and an {@link XdsSnapshot},
 * which {@link Translator} turns into vservices.
 *
 * <pre>
 * java -cp benchmarks.jar io.ax.bench.translate.TranslateScale SERVICES WARMUP ITERATIONS
 * </pre>
 *
 * Iteration 1 is the cold one (a fresh JVM: class loading, interpreter); the next {@code WARMUP}
 * are not reported; the last {@code ITERATIONS} are. Each prints, to stdout, lines
 * {@code MEASURE VALUE}: {@code parse_ms}, {@code translate_ms}, {@code parse_allocated_mib} and
 * {@code allocated_mib} (bytes the thread allocated, {@code com.sun.management.ThreadMXBean}),
 * {@code retained_mib} (heap after GC holding the translation minus without it) and
 * {@code snapshot_retained_mib} (the same for the parsed records); the cold one as
 * {@code cold_parse_ms} and {@code cold_translate_ms}, with {@code translation_notes}, how
 * many notes translation made (the first three go to stderr); at the end {@code peak_heap_mib}, the sum
 * of the heap pools' peaks over the run (generation included). Progress goes to stderr. Every
 * iteration checks the result: SERVICES vservices with 10 backends each, or one line on stderr
 * and exit status 1.
 */
public final class TranslateScale {
  private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final double MIB = 1024.0 * 1024.0;

  private TranslateScale() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 3) {
      fail("usage: TranslateScale SERVICES WARMUP ITERATIONS");
    }
    int services = Integer.parseInt(args[0]);
    int warmup = Integer.parseInt(args[1]);
    int iterations = Integer.parseInt(args[2]);
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    long t0 = System.nanoTime();
    Map<ResourceType, List<Any>> packed = IstioMesh.generate(services).packed();
    long bytes = packed.values().stream().flatMap(List::stream).mapToLong(Any::getSerializedSize).sum();
    System.err.printf("TranslateScale: %,d services: %,d resources, %.1f MB of protobuf, generated in %.0f ms%n",
        services, packed.values().stream().mapToInt(List::size).sum(), bytes / 1e6, ms(t0));
    System.out.printf("resources_mb %.2f%n", bytes / 1e6);
    for (int it = 1; it <= 1 + warmup + iterations; it++) {
      boolean cold = it == 1;
      boolean measured = it > 1 + warmup;
      long tid = Thread.currentThread().threadId();
      long a0 = THREADS.getThreadAllocatedBytes(tid);
      long p0 = System.nanoTime();
      XdsSnapshot snapshot = parse(packed);
      double parseMs = ms(p0);
      long a1 = THREADS.getThreadAllocatedBytes(tid);
      long t1 = System.nanoTime();
      Translation translation = Translator.translate(snapshot);
      double translateMs = ms(t1);
      long a2 = THREADS.getThreadAllocatedBytes(tid);
      check(translation, services);
      System.err.printf("TranslateScale: iteration %d%s: parse %.0f ms, translate %.0f ms%n", it, cold ? " (cold)" : measured ? "" : " (warm-up)", parseMs, translateMs);
      if (cold) {
        System.out.printf("cold_parse_ms %.3f%ncold_translate_ms %.3f%ntranslation_notes %d%n", parseMs, translateMs, translation.notes().size());
        translation.notes().stream().limit(3).forEach(n -> System.err.println("TranslateScale: note: " + n));
      }
      if (!measured) {
        continue;
      }
      // The fences keep each value reachable through the GC before it, whatever the JIT sees.
      long withBoth = usedAfterGc();
      Reference.reachabilityFence(translation);
      translation = null;
      long withSnapshot = usedAfterGc();
      Reference.reachabilityFence(snapshot);
      snapshot = null;
      long without = usedAfterGc();
      System.out.printf("parse_ms %.3f%ntranslate_ms %.3f%nparse_allocated_mib %.2f%nallocated_mib %.2f%nretained_mib %.2f%nsnapshot_retained_mib %.2f%n",
          parseMs, translateMs, (a1 - a0) / MIB, (a2 - a1) / MIB, (withBoth - withSnapshot) / MIB, (withSnapshot - without) / MIB);
    }
    long peak = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP)
        .mapToLong(p -> p.getPeakUsage().getUsed())
        .sum();
    System.out.printf("peak_heap_mib %.1f%n", peak / MIB);
  }

  /** Every resource through the agent's parser, into the snapshot the ADS client would hold. */
  static XdsSnapshot parse(Map<ResourceType, List<Any>> packed) {
    Map<String, ClusterResource> clusters = new HashMap<>();
    Map<String, EndpointResource> endpoints = new HashMap<>();
    Map<String, ListenerResource> listeners = new HashMap<>();
    Map<String, RouteResource> routes = new HashMap<>();
    for (Map.Entry<ResourceType, List<Any>> e : packed.entrySet()) {
      for (Any any : e.getValue()) {
        XdsResource r;
        try {
          r = ResourceParser.parse(e.getKey(), any);
        } catch (InvalidResourceException x) {
          fail("a generated resource is invalid: " + x.getMessage());
          return XdsSnapshot.EMPTY;
        }
        switch (r) {
          case ClusterResource c -> clusters.put(c.name(), c);
          case EndpointResource c -> endpoints.put(c.name(), c);
          case ListenerResource c -> listeners.put(c.name(), c);
          case RouteResource c -> routes.put(c.name(), c);
        }
      }
    }
    return new XdsSnapshot(clusters, endpoints, listeners, routes);
  }

  /** SERVICES vservices and ENDPOINTS backends each (over its subsets for a split), or exit. */
  static void check(Translation t, int services) {
    long backends = t.vservices().stream().mapToLong(TranslateScale::backends).sum();
    if (t.vservices().size() != services || backends != (long) services * IstioMesh.ENDPOINTS) {
      fail("translated " + services + " services into " + t.vservices().size() + " vservices with " + backends + " backends, expected "
          + services + " and " + (long) services * IstioMesh.ENDPOINTS + (t.notes().isEmpty() ? "" : "; first note: " + t.notes().getFirst()));
    }
  }

  static long backends(VService v) {
    return v.getBackendsCount() + v.getSubsetsList().stream().mapToLong(Subset::getBackendsCount).sum();
  }

  private static long usedAfterGc() throws InterruptedException {
    Runtime r = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(20); // lets G1 finish concurrent work started by the previous collection
    }
    return r.totalMemory() - r.freeMemory();
  }

  private static double ms(long since) {
    return (System.nanoTime() - since) / 1e6;
  }

  private static void fail(String message) {
    System.err.println("TranslateScale: " + message);
    System.exit(1);
  }
}
