package io.ax.xds.resource;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;

/** Turns Envoy's {@code core.v3.Address} into an {@link XdsAddress}; errors are plain reasons. */
final class Addresses {
  private Addresses() {}

  /** The reason an address is unacceptable, thrown to the resource parser that names the resource. */
  static final class BadAddress extends Exception {
    BadAddress(String reason) {
      super(reason, null, false, false);
    }
  }

  static XdsAddress of(Address a) throws BadAddress {
    return switch (a.getAddressCase()) {
      case SOCKET_ADDRESS -> socket(a.getSocketAddress());
      case PIPE -> {
        if (a.getPipe().getPath().isEmpty()) {
          throw new BadAddress("pipe path is empty");
        }
        yield new XdsAddress.Pipe(a.getPipe().getPath());
      }
      case ENVOY_INTERNAL_ADDRESS -> new XdsAddress.Internal(
          a.getEnvoyInternalAddress().getServerListenerName(), a.getEnvoyInternalAddress().getEndpointId());
      case ADDRESS_NOT_SET -> throw new BadAddress("address is not set");
    };
  }

  private static XdsAddress socket(SocketAddress s) throws BadAddress {
    if (s.getPortSpecifierCase() == SocketAddress.PortSpecifierCase.NAMED_PORT) {
      throw new BadAddress("named_port '" + s.getNamedPort() + "' is not supported (expected port_value)");
    }
    int port = s.getPortValue();
    if (port < 0 || port > 65535) {
      throw new BadAddress("port " + Integer.toUnsignedString(port) + " is out of range 0-65535");
    }
    String host = s.getAddress();
    if (host.isEmpty()) {
      throw new BadAddress("socket_address.address is empty");
    }
    if (isIpv4(host)) {
      return new XdsAddress.Ipv4(host, port);
    }
    if (host.indexOf(':') >= 0) {
      return new XdsAddress.Ipv6(host, port);
    }
    return new XdsAddress.Hostname(host, port);
  }

  /** A dotted quad of four decimal octets without leading zeros, e.g. {@code 10.96.36.43}. */
  static boolean isIpv4(String s) {
    int n = s.length();
    if (n < 7 || n > 15) {
      return false;
    }
    int octets = 0;
    int i = 0;
    while (i < n) {
      int start = i;
      int value = 0;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
        if (i - start > 3) {
          return false;
        }
      }
      if (i == start || value > 255 || (i - start > 1 && s.charAt(start) == '0')) {
        return false;
      }
      octets++;
      if (i < n) {
        if (s.charAt(i) != '.' || octets == 4) {
          return false;
        }
        i++;
        if (i == n) {
          return false;
        }
      }
    }
    return octets == 4;
  }
}
