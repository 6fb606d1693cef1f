package io.ax.core.model;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.net.Ipv4;
import io.ax.core.net.Ports;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code ax run --expose}: the app's port {@code appPort} is reachable from outside the mesh
 * at {@code hostPort} of this node. The app's socket is bound right there, so outside clients
 * reach it with no proxy in between. Part of the {@link App} (and so of the state that a cluster
 * replicates): the node that binds it, and later its peers, read it from there.
 *
 * <p>Forms: {@code APPPORT:HOSTPORT} (this node), {@code APPPORT:NODE-IP:HOSTPORT} (that node,
 * which must be this one until clusters come) and {@code APPPORT:0.0.0.0:HOSTPORT} (every node;
 * this node only, for now).
 *
 * @param nodeIp the address to bind, empty for all of this node's addresses
 */
public record ExposedPort(int appPort, Optional<Ipv4> nodeIp, int hostPort) {
  public ExposedPort {
    Ports.check("app_port", appPort);
    Objects.requireNonNull(nodeIp, "nodeIp");
    Ports.check("host_port", hostPort);
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
        yield new ExposedPort(Ports.parse("--expose", parts[0]), ip.isAny() ? Optional.empty() : Optional.of(ip), Ports.parse("--expose", parts[2]));
      }
      default -> throw new InvalidFieldException("--expose", "'" + text + "' is not APPPORT:HOSTPORT, APPPORT:NODE-IP:HOSTPORT or APPPORT:0.0.0.0:HOSTPORT");
    };
  }
}
