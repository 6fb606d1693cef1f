package io.ax.core.model;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.LbPolicy;
import io.ax.core.net.Ipv4;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A virtual service: {@code ip:vport} for each port mapping is a front end that balances
 * connections over the backends with the policy, or first over weighted {@link Subset}s and then
 * over the chosen subset's backends. Immutable; the constructor enforces the rules every surface
 * relies on, so an invalid vservice cannot exist.
 *
 * @param backends the backends of a plain vservice; empty when {@code subsets} are set
 * @param exposure {@link Exposure#EXTERNAL} also exposes each vport on every node
 * @param sourceIp the host IP outbound connections are made from; empty lets the kernel choose
 * @param subsets a weighted split (set instead of backends), names unique
 * @param hostnames extra DNS names (lower case, distinct) the daemon's DNS answers with the vIP,
 *     such as Istio's {@code reviews.default.svc.cluster.local}
 * @param owner who manages it: empty for vservices made by users (CLI, REST), an agent's id
 *     ({@code xds-agent}) for those it reconciles with {@code VServices.Apply}
 * @param resilience connect timeout, connection limit and outlier detection of the backends
 *     (a subset has its own)
 */
public record VService(
    String name,
    Ipv4 ip,
    List<PortMapping> ports,
    List<Backend> backends,
    LbPolicy policy,
    Exposure exposure,
    Optional<Ipv4> sourceIp,
    List<Subset> subsets,
    List<String> hostnames,
    String owner,
    Resilience resilience) {

  /** Whether a vservice is reachable from outside the mesh. */
  public enum Exposure {
    INTERNAL,
    EXTERNAL
  }

  // A DNS name (RFC 1123 labels), so that every vservice name can become a DNS name.
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
  private static final Pattern OWNER = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?");
  static final int MAX_NAME = 253;
  // One vservice may not flood the decision path or a REST answer.
  static final int MAX_PORTS = 1024;
  static final int MAX_BACKENDS = 4096;
  // Istio splits a route over a handful of subsets; 64 is far beyond any VirtualService seen.
  static final int MAX_SUBSETS = 64;
  // A Kubernetes service has a few names (short, namespaced, FQDN) and ServiceEntries list a
  // few hosts; 32 bounds the DNS table per vservice.
  static final int MAX_HOSTNAMES = 32;

  public VService {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(exposure, "exposure");
    Objects.requireNonNull(sourceIp, "sourceIp");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(resilience, "resilience");
    checkName(name);
    if (ip.isAny()) {
      throw new InvalidFieldException("ip", "0.0.0.0 cannot be a vservice IP");
    }
    // A connect() to these never reaches one host: the broadcast address, multicast groups
    // (224.0.0.0/4) and loopback (127.0.0.0/8, each app's own).
    int top = ip.bits() >>> 24;
    if (ip.bits() == -1 || (top >= 224 && top <= 239) || top == 127) {
      throw new InvalidFieldException("ip", ip + " cannot be a vservice IP (expected a unicast address outside 127.0.0.0/8)");
    }
    ports = List.copyOf(ports);
    backends = List.copyOf(backends);
    subsets = List.copyOf(subsets);
    hostnames = List.copyOf(hostnames);
    if (ports.isEmpty()) {
      throw new InvalidFieldException("ports", "at least one vport:appport is required");
    }
    if (ports.size() > MAX_PORTS) {
      throw new InvalidFieldException("ports", "at most " + MAX_PORTS + " ports are allowed, got " + ports.size());
    }
    if (backends.size() > MAX_BACKENDS) {
      throw new InvalidFieldException("backends", "at most " + MAX_BACKENDS + " backends are allowed, got " + backends.size());
    }
    Set<Integer> vports = new HashSet<>();
    for (PortMapping p : ports) {
      if (!vports.add(p.vport())) {
        throw new InvalidFieldException("ports", "vport " + p.vport() + " is mapped twice");
      }
    }
    checkSubsets(backends, subsets);
    checkHostnames(hostnames);
    checkOwner(owner);
  }

  /** A vservice that asks nothing of connects beyond balancing. */
  public VService(
      String name, Ipv4 ip, List<PortMapping> ports, List<Backend> backends, LbPolicy policy, Exposure exposure, Optional<Ipv4> sourceIp,
      List<Subset> subsets, List<String> hostnames, String owner) {
    this(name, ip, ports, backends, policy, exposure, sourceIp, subsets, hostnames, owner, Resilience.NONE);
  }

  /** A plain vservice made by a user: backends, no subsets, no extra hostnames. */
  public VService(String name, Ipv4 ip, List<PortMapping> ports, List<Backend> backends, LbPolicy policy, Exposure exposure, Optional<Ipv4> sourceIp) {
    this(name, ip, ports, backends, policy, exposure, sourceIp, List.of(), List.of(), "");
  }

  private static void checkSubsets(List<Backend> backends, List<Subset> subsets) {
    if (subsets.isEmpty()) {
      return;
    }
    if (!backends.isEmpty()) {
      throw new InvalidFieldException("subsets", "a vservice has backends or subsets, not both");
    }
    if (subsets.size() > MAX_SUBSETS) {
      throw new InvalidFieldException("subsets", "at most " + MAX_SUBSETS + " subsets are allowed, got " + subsets.size());
    }
    Set<String> names = new HashSet<>();
    int total = 0;
    for (Subset s : subsets) {
      if (!names.add(s.name())) {
        throw new InvalidFieldException("subsets", "subset '" + s.name() + "' is listed twice");
      }
      total += s.backends().size();
    }
    if (total > MAX_BACKENDS) {
      throw new InvalidFieldException("subsets", "at most " + MAX_BACKENDS + " backends are allowed over all subsets, got " + total);
    }
  }

  private static void checkHostnames(List<String> hostnames) {
    if (hostnames.size() > MAX_HOSTNAMES) {
      throw new InvalidFieldException("hostnames", "at most " + MAX_HOSTNAMES + " hostnames are allowed, got " + hostnames.size());
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < hostnames.size(); i++) {
      String h = hostnames.get(i);
      if (h.isEmpty() || h.length() > MAX_NAME || !NAME.matcher(h).matches()) {
        throw new InvalidFieldException("hostnames[" + i + "]", "'" + h + "' is not a valid DNS name (expected lower-case letters, digits, '-' and '.')");
      }
      if (!seen.add(h)) {
        throw new InvalidFieldException("hostnames[" + i + "]", "'" + h + "' is listed twice");
      }
    }
  }

  /** Checks an owner id: empty (a user's), or lower-case letters, digits, '.', '_' and '-'. */
  public static String checkOwner(String owner) {
    if (!owner.isEmpty() && !OWNER.matcher(owner).matches()) {
      throw new InvalidFieldException("owner", "'" + owner + "' is not a valid owner (expected 1-63 lower-case letters, digits, '.', '_' and '-')");
    }
    return owner;
  }

  /** Checks a vservice name: a DNS name of lower-case letters, digits, '-' and '.'. */
  public static String checkName(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
      throw new InvalidFieldException("name", "'" + name + "' is not a valid name (expected lower-case letters, digits, '-' and '.', like a DNS name)");
    }
    return name;
  }

  /** The same vservice under another owner. */
  public VService withOwner(String newOwner) {
    return new VService(name, ip, ports, backends, policy, exposure, sourceIp, subsets, hostnames, newOwner, resilience);
  }

  /** The same vservice with {@code r} for its own backends. */
  public VService withResilience(Resilience r) {
    return new VService(name, ip, ports, backends, policy, exposure, sourceIp, subsets, hostnames, owner, r);
  }

  /** The mapping for a vport, if this vservice serves it. */
  public Optional<PortMapping> mappingFor(int vport) {
    for (PortMapping p : ports) {
      if (p.vport() == vport) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
