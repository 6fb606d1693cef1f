package io.ax.xds.pilot.mesh;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * vIPs for services that have none (no Kubernetes assigned a clusterIP), from 240.240.0.0/16 as
 * istiod's ServiceEntry auto-allocation does: that block is reserved (RFC 1112 class E), so it
 * never clashes with a real address.
 *
 * <p>Stable: a host's slot is derived from a SHA-256 of the host name, so it is the same across
 * restarts and does not move when other services come or go. Only on a collision does it probe
 * the next free slot; hosts are served in sorted order, so the result is still deterministic.
 * Pure function.
 */
public final class VipAllocator {
  /** 240.240.0.1 to 240.240.255.254: the /16 less its network and broadcast addresses. */
  private static final int SLOTS = 65534;

  private VipAllocator() {}

  /**
   * @param hosts the hosts that need a vIP
   * @param taken addresses already in use (explicit clusterIPs and ServiceEntry addresses)
   * @return each host's vIP, in sorted host order
   * @throws IllegalArgumentException when the range is full
   */
  public static Map<String, String> allocate(List<String> hosts, Set<String> taken) {
    Set<String> used = new HashSet<>(taken);
    Map<String, String> out = new LinkedHashMap<>();
    for (String host : hosts.stream().sorted().distinct().toList()) {
      int slot = Math.floorMod(Hashing.sha256().hashString(host, StandardCharsets.UTF_8).asInt(), SLOTS);
      for (int probe = 0; ; probe++) {
        if (probe == SLOTS) {
          throw new IllegalArgumentException("no free vIP left in 240.240.0.0/16 for " + host);
        }
        int n = (slot + probe) % SLOTS + 1;
        String ip = "240.240." + (n >> 8) + "." + (n & 0xff);
        if (used.add(ip)) {
          out.put(host, ip);
          break;
        }
      }
    }
    return out;
  }
}
