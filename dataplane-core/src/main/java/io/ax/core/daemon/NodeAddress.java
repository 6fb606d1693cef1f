package io.ax.core.daemon;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.net.Ipv4;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Finds the node's IP from {@code --node-interface}: an IPv4 address of this host, or the name
 * of an interface whose first IPv4 address is taken. Without the flag, the first interface that
 * is up, not loopback and has an IPv4 address, as AppSwitch did ("the first interface listed").
 */
public final class NodeAddress {
  private NodeAddress() {}

  public static Ipv4 resolve(Optional<String> nodeInterface) {
    return resolve("--node-interface", nodeInterface);
  }

  /** As {@link #resolve(Optional)} for another flag that takes an address or an interface name, named in errors. */
  public static Ipv4 resolve(String flag, Optional<String> nodeInterface) {
    try {
      if (nodeInterface.isEmpty()) {
        return firstUsable().orElse(Ipv4.parse("loopback", "127.0.0.1"));
      }
      String spec = nodeInterface.get();
      if (!spec.isEmpty() && Character.isDigit(spec.charAt(0))) {
        Ipv4 ip = Ipv4.parse(flag, spec);
        if (NetworkInterface.getByInetAddress(InetAddress.getByAddress(ip.toBytes())) == null) {
          throw new InvalidFieldException(flag, spec + " is not an address of this host");
        }
        return ip;
      }
      NetworkInterface nif = NetworkInterface.getByName(spec);
      if (nif == null) {
        throw new InvalidFieldException(flag, "no interface named '" + spec + "' (expected an interface name like eth0 or an IPv4 address)");
      }
      return ipv4Of(nif).orElseThrow(() -> new InvalidFieldException(flag, "interface " + spec + " has no IPv4 address"));
    } catch (SocketException | java.net.UnknownHostException e) {
      throw new InvalidFieldException(flag, "cannot list interfaces: " + e.getMessage());
    }
  }

  private static Optional<Ipv4> firstUsable() throws SocketException {
    List<NetworkInterface> all = Collections.list(NetworkInterface.getNetworkInterfaces());
    all.sort(java.util.Comparator.comparingInt(NetworkInterface::getIndex));
    for (NetworkInterface nif : all) {
      if (nif.isUp() && !nif.isLoopback()) {
        Optional<Ipv4> ip = ipv4Of(nif);
        if (ip.isPresent()) {
          return ip;
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Ipv4> ipv4Of(NetworkInterface nif) {
    return Collections.list(nif.getInetAddresses()).stream()
        .filter(a -> a instanceof Inet4Address)
        .map(a -> Ipv4.fromBytes(a.getAddress()))
        .findFirst();
  }
}
