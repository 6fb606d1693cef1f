package io.ax.core.ports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's ephemeral ports ({@code net.ipv4.ip_local_port_range}) against the pool. AppSwitch's
 * default pool, 40000-60000, lies inside Linux's default ephemeral range (32768-60999): an
 * outgoing connection may hold a pool port when an app binds it. ax keeps the default (firewall
 * rules written for AppSwitch name it) and copes: a pool port the kernel finds taken is skipped for
 * a minute ({@link PortPool#busy}). To keep the two apart, the operator reserves the pool
 * ({@code net.ipv4.ip_local_reserved_ports}) or gives {@code --ports} outside the range; the
 * daemon says so at start when neither is the case. It does not reserve the ports itself: on a
 * node with many outgoing connections, taking 20,001 of the 28,232 ephemeral ports away is the
 * operator's decision.
 */
public final class EphemeralPorts {
  static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  static final Path RESERVED = Path.of("/proc/sys/net/ipv4/ip_local_reserved_ports");

  private EphemeralPorts() {}

  /**
   * The pool's ports that the kernel may give to outgoing connections, as ranges; empty when the
   * pool is outside the ephemeral range or reserved.
   *
   * @param range the ephemeral range, {@code ip_local_port_range}'s two numbers
   * @param reserved {@code ip_local_reserved_ports}'s csv of ports and ranges (may be empty)
   */
  public static List<PortRange> exposed(PortRanges pool, PortRange range, String reserved) {
    PortRanges held = reserved.isBlank() ? null : PortRanges.parse("ip_local_reserved_ports", reserved);
    List<PortRange> out = new ArrayList<>();
    for (PortRange r : pool.ranges()) {
      int first = -1;
      for (int p = Math.max(r.first(), range.first()); p <= Math.min(r.last(), range.last()); p++) {
        boolean open = held == null || !contains(held, p);
        if (open && first < 0) {
          first = p;
        } else if (!open && first >= 0) {
          out.add(new PortRange(first, p - 1));
          first = -1;
        }
      }
      if (first >= 0) {
        out.add(new PortRange(first, Math.min(r.last(), range.last())));
      }
    }
    return out;
  }

  private static boolean contains(PortRanges ranges, int port) {
    for (PortRange h : ranges.ranges()) {
      if (h.first() <= port && port <= h.last()) {
        return true;
      }
    }
    return false;
  }

  /** What this node's kernel says, or empty when /proc cannot be read (not Linux, a sandbox). */
  public static Optional<List<PortRange>> exposedOnThisNode(PortRanges pool) {
    try {
      String[] range = Files.readString(RANGE).strip().split("\\s+");
      String reserved = Files.exists(RESERVED) ? Files.readString(RESERVED).strip() : "";
      return Optional.of(exposed(pool, new PortRange(Integer.parseInt(range[0]), Integer.parseInt(range[1])), reserved));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
