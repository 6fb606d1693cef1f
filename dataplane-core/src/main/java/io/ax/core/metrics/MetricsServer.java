package io.ax.core.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics} over HTTP, served by the Prometheus client's own exporter: the text format,
 * or OpenMetrics when the scraper asks for it ({@code Accept: application/openmetrics-text}), as
 * Prometheus does. Scrapes run on virtual threads, one per request.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
  private final HTTPServer server;
  private final ExecutorService executor;

  private MetricsServer(HTTPServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code address} (port 0: any free port) and serves {@code registry}.
   *
   * @throws IOException when the address cannot be bound
   */
  public static MetricsServer start(InetSocketAddress address, PrometheusRegistry registry) throws IOException {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(registry, "registry");
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    try {
      HTTPServer server = HTTPServer.builder()
          .inetAddress(address.getAddress())
          .port(address.getPort())
          .registry(registry)
          .executorService(executor)
          .buildAndStart();
      MetricsServer s = new MetricsServer(server, executor);
      log.info("[metrics] serving Prometheus metrics on http://{}:{}/metrics", address.getHostString(), s.port());
      return s;
    } catch (IOException | RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
    executor.shutdownNow();
  }
}
