package io.ax.core.model;

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
 * connections over the backends with the policy. Immutable; the constructor enforces the rules
 * every surface relies on, so an invalid vservice cannot exist.
 *
 * @param exposure {@link Exposure#EXTERNAL} also exposes each vport on every node
 * @param sourceIp the host IP outbound connections are made from; empty lets the kernel choose
 */
public record VService(
    String name, Ipv4 ip, List<PortMapping> ports, List<Backend> backends, LbPolicy policy, Exposure exposure, Optional<Ipv4> sourceIp) {

  /** Whether a vservice is reachable from outside the mesh. */
  public enum Exposure {
    INTERNAL,
    EXTERNAL
  }

  // A DNS label (RFC 1123), so that every vservice name can become a DNS name.
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
  static final int MAX_NAME = 253;
  // One vservice may not flood the decision path or a REST answer.
  static final int MAX_PORTS = 1024;
  static final int MAX_BACKENDS = 4096;

  public VService {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(exposure, "exposure");
    Objects.requireNonNull(sourceIp, "sourceIp");
    checkName(name);
    if (ip.isAny()) {
      throw new InvalidFieldException("ip", "0.0.0.0 cannot be a vservice IP");
    }
    ports = List.copyOf(ports);
    backends = List.copyOf(backends);
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
  }

  /** Checks a vservice name: a DNS name of lower-case letters, digits, '-' and '.'. */
  public static String checkName(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
      throw new InvalidFieldException("name", "'" + name + "' is not a valid name (expected lower-case letters, digits, '-' and '.', like a DNS name)");
    }
    return name;
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
