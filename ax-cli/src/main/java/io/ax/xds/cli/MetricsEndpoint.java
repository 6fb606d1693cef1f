package io.ax.xds.cli;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.metrics.MetricsServer;
import io.ax.core.net.Ipv4;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** The {@code --metrics-port}/{@code --metrics-address} pair of {@code ax agent} and {@code ax pilot}. */
final class MetricsEndpoint {
  private MetricsEndpoint() {}

  /**
   * /metrics on {@code address}:{@code port}, or none for port 0 (the address is checked even
   * then: a typo should not wait until someone turns the metrics on).
   *
   * @throws IllegalArgumentException naming the flag, for a bad port or address
   * @throws IOException naming the flag, when the address cannot be bound
   */
  static Optional<MetricsServer> serve(int port, String address, PrometheusRegistry registry) throws IOException {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--metrics-port: port " + port + " is out of range (expected 0-65535)");
    }
    InetAddress ip;
    try {
      ip = InetAddress.getByAddress(Ipv4.parse("--metrics-address", address).toBytes());
    } catch (UnknownHostException | InvalidFieldException e) {
      throw new IllegalArgumentException(e instanceof InvalidFieldException ? e.getMessage() : "--metrics-address: " + e.getMessage(), e);
    }
    if (port == 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(MetricsServer.start(new InetSocketAddress(ip, port), registry));
    } catch (IOException e) {
      throw new IOException("--metrics-port: cannot serve metrics on " + address + ":" + port + ": " + e.getMessage(), e);
    }
  }
}
