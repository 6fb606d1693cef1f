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
 * {@code APPPORT:NODE-IP:HOSTPORT} (that node, which must be the app's for now) and
 * {@code APPPORT:0.0.0.0:HOSTPORT} (every node of the cluster, like a Kubernetes NodePort: the
 * other nodes proxy HOSTPORT to the app's socket).
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

  /** Whether every node of the cluster exposes it ({@code APPPORT:0.0.0.0:HOSTPORT}). */
  public boolean everyNode() {
    return nodeIp.isPresent() && nodeIp.get().isAny();
  }

  public static ExposedPort parse(String text, Ipv4 thisNode) {
    String[] parts = text.strip().split(":", -1);
    return switch (parts.length) {
      case 2 -> new ExposedPort(Ports.parse("--expose", parts[0]), Optional.empty(), Ports.parse("--expose", parts[1]));
      case 3 -> {
        Ipv4 ip = Ipv4.parse("--expose", parts[1]);
        if (!ip.isAny() && !ip.equals(thisNode)) {
          throw new InvalidFieldException("--expose", "'" + text + "': " + ip + " is not this node's IP " + thisNode + " (other nodes need clusters, not supported yet)");
        }
        yield new ExposedPort(Ports.parse("--expose", parts[0]), Optional.of(ip), Ports.parse("--expose", parts[2]));
      }
      default -> throw new InvalidFieldException("--expose", "'" + text + "' is not APPPORT:HOSTPORT, APPPORT:NODE-IP:HOSTPORT or APPPORT:0.0.0.0:HOSTPORT");
    };
  }
}
