package io.ax.xds.dataplane;

import io.ax.admin.VServiceCells;
import io.ax.admin.v1.VService;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A {@link Dataplane} that changes nothing: each {@link #apply} prints what it would change
 * compared with the previous call (the first call: the whole set), one line per vservice in name
 * order, and returns the counts a daemon would. A line shows the vservice as {@code ax get
 * vservices} does (a split as each subset's share of the weight, a backend's weight other than 1
 * as {@code (w=N)}) and its hostnames; an update ends with what the changed cells were, so that a
 * change of weight reads at a glance:
 *
 * <pre>
 * dry-run: create reviews.default-9080 10.96.36.43 [{9080 9080}] RoundRobin v1=80%[10.244.0.12:9080] v2=20%[10.244.0.13:9080] hostnames [reviews.default.svc.cluster.local]
 * dry-run: update reviews.default-9080 10.96.36.43 [{9080 9080}] RoundRobin v1=90%[10.244.0.12:9080] v2=10%[10.244.0.13:9080] hostnames [reviews.default.svc.cluster.local] (was v1=80%[10.244.0.12:9080] v2=20%[10.244.0.13:9080])
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
        out.println("dry-run: update " + describe(after) + " (was " + changed(before, after) + ")");
      } else {
        unchanged++;
      }
    }
    out.flush();
    previous = Map.copyOf(next);
    return new ApplyResult(created, updated, deleted, unchanged, List.of());
  }

  private static String describe(VService v) {
    return v.getName() + " " + String.join(" ", cells(v).values());
  }

  /** The printed cells: ip, ports, LB type, backends or split, then hostnames, external and source IP when set. */
  private static Map<String, String> cells(VService v) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("ip", v.getIp());
    c.put("ports", VServiceCells.ports(v.getPortsList()));
    c.put("lb", VServiceCells.lbType(v.getLbType()));
    c.put("backends", VServiceCells.backendsCell(v));
    if (v.getHostnamesCount() > 0) {
      c.put("hostnames", "hostnames " + v.getHostnamesList().stream().collect(Collectors.joining(" ", "[", "]")));
    }
    if (v.getExternal()) {
      c.put("external", "external");
    }
    if (!v.getSourceIp().isEmpty()) {
      c.put("source", "source " + v.getSourceIp());
    }
    return c;
  }

  /** The cells of {@code before} that differ in {@code after}; a change no cell shows is named as such. */
  private static String changed(VService before, VService after) {
    Map<String, String> was = cells(before);
    Map<String, String> now = cells(after);
    List<String> out = new ArrayList<>();
    was.forEach((k, v) -> {
      if (!v.equals(now.get(k))) {
        out.add(v);
      }
    });
    now.keySet().stream().filter(k -> !was.containsKey(k)).forEach(k -> out.add("no " + k));
    // Exact weights behind equal rounded shares (80/20 to 800/200), the owner: not printed.
    return out.isEmpty() ? "the same as printed, except in details not shown" : String.join(" ", out);
  }

  @Override
  public void close() {
    // nothing held
  }
}
