package io.ax.xds.cli;

import com.google.common.net.InetAddresses;
import io.ax.core.metrics.MetricsServer;
import io.ax.xds.pilot.PilotConfig;
import io.ax.xds.pilot.PilotException;
import io.ax.xds.pilot.PilotLite;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ax pilot}: pilot-lite, an xDS server for the Istio/Kubernetes YAML in a directory. Prints
 * what it serves on start and on each change, runs until SIGINT or SIGTERM. Errors are one line
 * {@code ax pilot: ...} on stderr with exit code 1.
 */
@Command(
    name = "pilot",
    description = {
      "Run pilot-lite: an xDS server (ADS on istiod's port 15010) for the Istio and Kubernetes YAML in a directory.",
      "Serves Service, ServiceEntry, WorkloadEntry, DestinationRule, VirtualService and the legacy DestinationPolicy",
      "as istiod would (outbound|PORT|SUBSET|HOST clusters, 0.0.0.0_PORT and VIP_PORT listeners, PORT routes),",
      "and follows the directory: a file dropped in or changed is served within a second. The ax daemon's apps",
      "are the pods: each is an endpoint of the Services whose selector its labels match."
    },
    mixinStandardHelpOptions = true,
    sortOptions = false,
    footer = {"", "Examples:", "  ax pilot --config ./istio", "  curl -s 127.0.0.1:15014/metrics | grep ax_pilot_xds_acks", "  ax agent --pilot 127.0.0.1:15010"})
public final class PilotCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "DIR", required = true,
      description = "Directory of *.yaml, *.yml and *.json files to serve and watch.")
  Path config;

  @Option(names = "--port", paramLabel = "NUMBER", defaultValue = "15010",
      description = "xDS port, plaintext gRPC (default: ${DEFAULT-VALUE}, istiod's).")
  int port;

  @Option(names = "--address", paramLabel = "IP", defaultValue = "0.0.0.0",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String address;

  @Option(names = "--apps", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Make the ax daemon's apps endpoints, as Kubernetes makes pods endpoints: an app is an endpoint of every Service"
          + " of its namespace (its 'namespace' label, else default) whose selector its --labels match, on the ports it listens on (default: ${DEFAULT-VALUE}).")
  boolean apps;

  @Option(names = "--admin-socket", paramLabel = "FILE", defaultValue = "/var/run/appswitch/admin.sock",
      description = "The admin socket of the ax daemon whose apps --apps follows (default: ${DEFAULT-VALUE}).")
  Path adminSocket;

  @Option(names = "--metrics-port", paramLabel = "NUMBER", defaultValue = "15014",
      description = "Serve pilot-lite's Prometheus metrics (ADS streams, pushes, ACKs, NACKs, push-to-ACK time, config builds) on this TCP port of --metrics-address at /metrics, istiod's monitoring port by default; 0 turns them off (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--metrics-address", paramLabel = "IP", defaultValue = "127.0.0.1", description = "Address for --metrics-port (default: ${DEFAULT-VALUE}).")
  String metricsAddress;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (port < 0 || port > 65535) {
      return fail(err, "--port: " + port + " is not a port (expected 0-65535)");
    }
    if (!InetAddresses.isInetAddress(address)) {
      return fail(err, "--address: '" + address + "' is not an IP address (expected e.g. 0.0.0.0 or 127.0.0.1)");
    }
    if (!Files.isDirectory(config)) {
      return fail(err, "--config: " + config + " is not a directory (expected a directory of Istio/Kubernetes YAML)");
    }
    AtomicReference<PilotLite> running = new AtomicReference<>();
    PilotMetrics metrics = new PilotMetrics(() -> running.get() == null ? 0 : running.get().fileErrors().size());
    Optional<MetricsServer> metricsServer;
    try {
      metricsServer = MetricsEndpoint.serve(metricsPort, metricsAddress, metrics.registry());
    } catch (IllegalArgumentException | IOException e) {
      return fail(err, e.getMessage());
    }
    PilotLite pilot;
    try {
      PilotConfig pilotConfig = PilotConfig.of(config).withListen(address, port);
      pilot = PilotLite.start(apps ? pilotConfig.withApps(adminSocket) : pilotConfig, s -> {
        out.println(s.summary());
        out.flush();
      }, metrics);
    } catch (PilotException e) {
      metricsServer.ifPresent(MetricsServer::close);
      return fail(err, e.getMessage());
    }
    running.set(pilot);
    out.println("pilot-lite listening on " + address + ":" + pilot.port() + ", config from " + config
        + metricsServer.map(m -> ", metrics on http://" + metricsAddress + ":" + metricsPort + "/metrics").orElse(""));
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      pilot.close();
      metricsServer.ifPresent(MetricsServer::close);
      stopped.countDown();
    }, "pilot-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stopped.await();
    return 0;
  }

  private static int fail(PrintWriter err, String message) {
    err.println("ax pilot: " + message);
    err.flush();
    return 1;
  }
}
