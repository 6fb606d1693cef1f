package io.ax.admin;

import io.ax.admin.v1.Backend;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.VService;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A vservice's cells as every printer of ax shows them ({@code ax get vservices}, {@code ax agent
 * translate}, the agent's dry run), so one vservice reads the same wherever it is printed:
 * AppSwitch's {@code [{8000 10000}]} and {@code [10.0.0.1:9080]}, a weight other than 1 as
 * {@code (w=N)}, a split as {@code v1=80%[...] v2=20%/LeastConn[...]}. Pure functions.
 */
public final class VServiceCells {
  private VServiceCells() {}

  /** The name users type: {@code Random}, {@code RoundRobin}, {@code LeastConn}, {@code ConsistentHash}. */
  public static String lbType(LbType t) {
    return switch (Objects.requireNonNull(t, "t")) {
      case RANDOM -> "Random";
      case ROUND_ROBIN -> "RoundRobin";
      case LEAST_CONN -> "LeastConn";
      case CONSISTENT_HASH -> "ConsistentHash";
      case LB_TYPE_UNSPECIFIED, UNRECOGNIZED -> t.name();
    };
  }

  /** {@code [{VPORT APPPORT} ...]}. */
  public static String ports(List<PortMapping> ports) {
    return ports.stream().map(p -> "{" + p.getVport() + " " + p.getAppPort() + "}").collect(Collectors.joining(" ", "[", "]"));
  }

  /** The VSBACKENDIPS cell: the plain backends, or the weighted split of the subsets. */
  public static String backendsCell(VService v) {
    return v.getSubsetsCount() > 0 ? subsets(v) : backends(v.getBackendsList());
  }

  /** {@code [ip[:port] ...]}, each with {@code (w=N)} for a weight other than 1 (0 on the wire means 1). */
  public static String backends(List<Backend> backends) {
    return backends.stream().map(VServiceCells::backend).collect(Collectors.joining(" ", "[", "]"));
  }

  private static String backend(Backend b) {
    String at = b.getPort() == 0 ? b.getIp() : b.getIp() + ":" + b.getPort();
    return Integer.compareUnsigned(b.getWeight(), 1) <= 0 ? at : at + "(w=" + Integer.toUnsignedString(b.getWeight()) + ")";
  }

  /**
   * A split as {@code v1=80%[10.0.0.1 10.0.0.2] v2=20%[10.0.0.3]}: each subset's share of the
   * total weight, rounded, and its type when it differs from the vservice's
   * ({@code v2=20%/LeastConn[...]}).
   */
  private static String subsets(VService v) {
    long total = v.getSubsetsList().stream().mapToLong(s -> Integer.toUnsignedLong(s.getWeight())).sum();
    return v.getSubsetsList().stream()
        .map(s -> {
          long percent = total == 0 ? 0 : Math.round(100.0 * Integer.toUnsignedLong(s.getWeight()) / total);
          String type = s.getLbType() == v.getLbType() || s.getLbType() == LbType.LB_TYPE_UNSPECIFIED ? "" : "/" + lbType(s.getLbType());
          return s.getName() + "=" + percent + "%" + type + backends(s.getBackendsList());
        })
        .collect(Collectors.joining(" "));
  }
}
