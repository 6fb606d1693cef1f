package io.ax.xds.dataplane;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.Subset;
import io.ax.admin.v1.VService;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How the agent prints vservices (the translate command's table, the dry run's lines): cells
 * formatted as {@code ax get vservices} does ({@code [{9080 9080}]}, {@code [10.0.0.1:9080]}); a weighted
 * split prints as {@code v1=80%[ip:port] v2=20%[ip:port]}, with a subset's own LB type in
 * parentheses when it differs from the vservice's.
 */
public final class VServiceViews {
  private VServiceViews() {}

  /** The name users type: {@code Random}, {@code RoundRobin}, {@code LeastConn}, {@code ConsistentHash}. */
  public static String lbType(LbType t) {
    return switch (t) {
      case RANDOM -> "Random";
      case ROUND_ROBIN -> "RoundRobin";
      case LEAST_CONN -> "LeastConn";
      case CONSISTENT_HASH -> "ConsistentHash";
      case LB_TYPE_UNSPECIFIED, UNRECOGNIZED -> t.name();
    };
  }

  /** Plain backends, or the split: {@code v1=80%[10.0.0.1:9080] v2=20%(Random)[10.0.0.2:9080]}. */
  public static String backendsCell(VService v) {
    if (v.getSubsetsCount() == 0) {
      return backends(v.getBackendsList());
    }
    long total = v.getSubsetsList().stream().mapToLong(s -> Integer.toUnsignedLong(s.getWeight())).sum();
    return v.getSubsetsList().stream().map(s -> subset(v, s, total)).collect(Collectors.joining(" "));
  }

  private static String subset(VService v, Subset s, long total) {
    long percent = total == 0 ? 0 : Math.round(100.0 * Integer.toUnsignedLong(s.getWeight()) / total);
    String lb = s.getLbType() == v.getLbType() ? "" : "(" + lbType(s.getLbType()) + ")";
    return s.getName() + "=" + percent + "%" + lb + backends(s.getBackendsList());
  }

  public static String ports(List<PortMapping> ports) {
    return ports.stream().map(p -> "{" + p.getVport() + " " + p.getAppPort() + "}").collect(Collectors.joining(" ", "[", "]"));
  }

  public static String backends(List<Backend> backends) {
    return backends.stream().map(b -> b.getPort() == 0 ? b.getIp() : b.getIp() + ":" + b.getPort()).collect(Collectors.joining(" ", "[", "]"));
  }
}
