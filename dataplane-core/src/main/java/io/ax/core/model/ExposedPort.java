package io.ax.core.model;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.net.Ipv4;
import io.ax.core.net.Ports;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code ax run --expose}: the app's port {@code appPort} is reachable from outside the mesh
 * at {@code hostPort}. The app's socket is bound right there on its node, so outside clients of
 * that node reach it with no proxy in between. Part of the {@link App} (and so of the state that
 * a cluster replicates): the node that binds it, and its peers, read it from there.
 *
 * <p>Forms, as AppSwitch has them: {@code APPPORT:HOSTPORT} (the app's node),
 * {@code APPPORT:NODE-IP:HOSTPORT} (that node of the cluster: the app's own binds it there, another
 * proxies HOSTPORT to the app) and {@code APPPORT:0.0.0.0:HOSTPORT} (every node of the cluster,
 * like a Kubernetes NodePort: the other nodes proxy HOSTPORT to the app's socket).
 *
 * @param nodeIp empty for the app's node on all its addresses, 0.0.0.0 for every node, or the IP
 *     of the node to expose on
 */
public record ExposedPort(int appPort, Optional<Ipv4> nodeIp, int hostPort) {
  public ExposedPort {
    Ports.check("app_port", appPort);
    Objects.requireNonNull(nodeIp, "nodeIp");
    Ports.check("host_port", hostPort);
  }

  /** Whether the node at {@code ip} exposes it: every node for 0.0.0.0, or the one named. */
  public boolean on(Ipv4 ip) {
    return nodeIp.isPresent() && (nodeIp.get().isAny() || nodeIp.get().equals(ip));
  }

  /** Whether every node of the cluster exposes it ({@code APPPORT:0.0.0.0:HOSTPORT}). */
  public boolean everyNode() {
    return nodeIp.isPresent() && nodeIp.get().isAny();
  }

  /** Parses a spec whose NODE-IP may be this node's only. */
  public static ExposedPort parse(String text, Ipv4 thisNode) {
    return parse(text, thisNode, ip -> false);
  }

  /**
   * Parses a spec.
   *
   * @param otherNode whether an IP is another node's of this cluster (a NODE-IP must be a node's)
   */
  public static ExposedPort parse(String text, Ipv4 thisNode, java.util.function.Predicate<Ipv4> otherNode) {
    String[] parts = text.strip().split(":", -1);
    return switch (parts.length) {
      case 2 -> new ExposedPort(Ports.parse("--expose", parts[0]), Optional.empty(), Ports.parse("--expose", parts[1]));
      case 3 -> {
        Ipv4 ip = Ipv4.parse("--expose", parts[1]);
        if (!ip.isAny() && !ip.equals(thisNode) && !otherNode.test(ip)) {
          throw new InvalidFieldException("--expose", "'" + text + "': " + ip + " is not the IP of a node of this cluster (this node's is " + thisNode + ")");
        }
        yield new ExposedPort(Ports.parse("--expose", parts[0]), Optional.of(ip), Ports.parse("--expose", parts[2]));
      }
      default -> throw new InvalidFieldException("--expose", "'" + text + "' is not APPPORT:HOSTPORT, APPPORT:NODE-IP:HOSTPORT or APPPORT:0.0.0.0:HOSTPORT");
    };
  }
}
