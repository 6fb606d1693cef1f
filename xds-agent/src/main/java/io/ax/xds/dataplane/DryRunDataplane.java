package io.ax.xds.dataplane;

import io.ax.admin.VServiceCells;
import io.ax.admin.v1.VService;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link Dataplane} that changes nothing: each {@link #apply} prints what it would change
 * compared with the previous call (the first call: the whole set), one line per vservice in name
 * order, and returns the counts a daemon would:
 *
 * <pre>
 * dry-run: create reviews.default-9080 10.96.36.43 [{9080 9080}] RoundRobin [10.244.0.192:9080]
 * dry-run: update ratings.default-9080 10.96.135.117 [{9080 9080}] Random [10.244.0.191:9080]
 * dry-run: delete details.default-9080
 * </pre>
 *
 * <p>Thread-safe: {@link #apply} is synchronized, since it compares with the previous set.
 */
public final class DryRunDataplane implements Dataplane {
  private final PrintStream out;
  private Map<String, VService> previous = Map.of();

  public DryRunDataplane(PrintStream out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  @Override
  public synchronized ApplyResult apply(List<VService> vservices) throws DataplaneException {
    Objects.requireNonNull(vservices, "vservices");
    TreeMap<String, VService> next = new TreeMap<>();
    for (VService v : vservices) {
      if (next.putIfAbsent(v.getName(), v) != null) {
        throw new DataplaneException("vservice " + v.getName() + " appears twice in one push (names must be unique)");
      }
    }
    int created = 0;
    int updated = 0;
    int deleted = 0;
    int unchanged = 0;
    TreeSet<String> names = new TreeSet<>(previous.keySet());
    names.addAll(next.keySet());
    for (String name : names) {
      VService before = previous.get(name);
      VService after = next.get(name);
      if (after == null) {
        deleted++;
        out.println("dry-run: delete " + name);
      } else if (before == null) {
        created++;
        out.println("dry-run: create " + describe(after));
      } else if (!before.equals(after)) {
        updated++;
        out.println("dry-run: update " + describe(after));
      } else {
        unchanged++;
      }
    }
    out.flush();
    previous = Map.copyOf(next);
    return new ApplyResult(created, updated, deleted, unchanged, List.of());
  }

  private static String describe(VService v) {
    return v.getName() + " " + v.getIp() + " " + VServiceCells.ports(v.getPortsList()) + " " + VServiceCells.lbType(v.getLbType()) + " " + VServiceCells.backendsCell(v);
  }

  @Override
  public void close() {
    // nothing held
  }
}
