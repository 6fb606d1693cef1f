package io.ax.xds.cli;

import io.ax.xds.ads.AdsClient;
import io.ax.xds.ads.AdsConfig;
import io.ax.xds.ads.ResourceDecoder;
import io.ax.xds.ads.SerialScheduler;
import io.ax.xds.agent.Agent;
import io.ax.xds.agent.BearerTokenCredentials;
import io.ax.xds.agent.NodeIdentity;
import io.ax.xds.agent.PilotAddress;
import io.ax.xds.agent.PilotChannels;
import io.ax.xds.dataplane.AdminDataplane;
import io.ax.xds.dataplane.Dataplane;
import io.ax.xds.dataplane.DryRunDataplane;
import io.grpc.ManagedChannel;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ax agent}: subscribes to Istio's control plane over ADS and pushes its services to the
 * daemon (or prints them with {@code --dry-run}) until SIGINT or SIGTERM. A bad flag value is one
 * line, {@code ax agent: ...}, and exit code 1.
 */
@Command(
    name = "agent",
    description = "Run the xDS agent: subscribe to Istio's control plane and push its services to the daemon.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    subcommands = {TranslateCommand.class},
    footer = {"", "Examples:", "  ax agent --pilot istiod.istio-system.svc:15010 --namespace default",
        "  ax agent --pilot istiod.istio-system.svc:15012 --ca /var/run/secrets/istio/root-cert.pem",
        "  ax agent --pilot localhost:15010 --dry-run"})
public final class AgentCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(AgentCommand.class);
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
  private static final Pattern OWNER = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?");

  @Spec CommandSpec spec;

  @Option(names = "--pilot", paramLabel = "HOST:PORT", defaultValue = "localhost:15010",
      description = "Istio's control plane (istiod, or ax pilot): 15010 is plaintext, 15012 TLS (default: ${DEFAULT-VALUE}).")
  String pilot;

  @Option(names = "--tls", description = "Use TLS (implied by port 15012); needs --ca and a token.")
  boolean tls;

  @Option(names = "--ca", paramLabel = "FILE", description = "PEM root certificates that signed istiod's certificate (required for TLS).")
  Path ca;

  @Option(names = "--token", paramLabel = "FILE", defaultValue = "/var/run/secrets/tokens/istio-token",
      description = "ServiceAccount token sent as a bearer token over TLS, re-read on each connect (default: ${DEFAULT-VALUE}).")
  Path token;

  @Option(names = "--tls-server-name", paramLabel = "NAME",
      description = "Name istiod's certificate must carry when --pilot is an IP or another name, e.g. istiod.istio-system.svc.")
  String tlsServerName;

  @Option(names = "--node-ip", paramLabel = "IP", description = "This node's IP in the node id (default: the node's primary IPv4).")
  String nodeIp;

  @Option(names = "--pod-name", paramLabel = "NAME", description = "Pod name in the node id (default: the host name).")
  String podName;

  @Option(names = "--namespace", paramLabel = "NAME", defaultValue = NodeIdentity.DEFAULT_NAMESPACE,
      description = "Namespace of the workload; over TLS it must be the token's (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--service-account", paramLabel = "NAME", description = "ServiceAccount of the workload; over TLS it must be the token's.")
  String serviceAccount;

  @Option(names = "--cluster-id", paramLabel = "ID", defaultValue = NodeIdentity.DEFAULT_CLUSTER_ID,
      description = "Istio cluster id of the workload (default: ${DEFAULT-VALUE}).")
  String clusterId;

  @Option(names = "--cluster-domain", paramLabel = "DOMAIN", defaultValue = NodeIdentity.DEFAULT_CLUSTER_DOMAIN,
      description = "Kubernetes cluster domain (default: ${DEFAULT-VALUE}).")
  String clusterDomain;

  @Option(names = "--istio-version", paramLabel = "VERSION", defaultValue = NodeIdentity.DEFAULT_ISTIO_VERSION,
      description = "Istio version to announce; istiod shapes config by it (default: ${DEFAULT-VALUE}).")
  String istioVersion;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A workload label (repeatable), e.g. --label app=reviews --label version=v1.")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(names = "--admin-socket", paramLabel = "FILE", defaultValue = "/var/run/appswitch/admin.sock",
      description = "The daemon's admin socket (default: ${DEFAULT-VALUE}).")
  Path adminSocket;

  @Option(names = "--owner", paramLabel = "ID", defaultValue = "xds-agent",
      description = "Owner id of the vservices this agent manages in the daemon (default: ${DEFAULT-VALUE}).")
  String owner;

  @Option(names = "--metrics-port", paramLabel = "NUMBER", defaultValue = "0",
      description = "Serve the agent's Prometheus metrics (ADS ACKs, NACKs, reconnects, pushes) on this TCP port of --metrics-address at /metrics; 0 turns them off (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--metrics-address", paramLabel = "IP", defaultValue = "127.0.0.1", description = "Address for --metrics-port (default: ${DEFAULT-VALUE}).")
  String metricsAddress;

  @Option(names = "--dry-run", description = "Print the vservices instead of pushing them to the daemon.")
  boolean dryRun;

  @Option(names = "--resync", paramLabel = "DURATION", defaultValue = "30s",
      description = "How often the whole state is pushed again, which heals a restarted daemon: e.g. 30s, 5m (default: ${DEFAULT-VALUE}).")
  String resync;

  @Option(names = "--dns-servers", paramLabel = "CSV",
      description = "List (csv) of 'IP[:port]' DNS servers that resolve the hosts of DNS ServiceEntries (STRICT_DNS clusters), as Envoy would (default: those of /etc/resolv.conf).")
  String dnsServers;

  /** Counted down to stop the agent; the shutdown hook does it on SIGINT and SIGTERM. */
  final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws InterruptedException {
    Setup setup;
    try {
      setup = setup();
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("ax agent: " + e.getMessage());
      return 1;
    }
    return run(setup);
  }

  private record Setup(PilotAddress address, PilotChannels.Security security, NodeIdentity node, Duration resync, io.ax.xds.dns.HostResolver resolver) {}

  private Setup setup() {
    PilotAddress address = flag("--pilot", () -> PilotAddress.parse(pilot));
    PilotChannels.Security security = new PilotChannels.Security.Plaintext();
    if (tls || address.port() == PilotAddress.TLS_PORT) {
      if (ca == null) {
        throw new IllegalArgumentException("--ca is required for TLS (--tls or port " + PilotAddress.TLS_PORT
            + "): give the PEM file of the roots that signed istiod's certificate, e.g. /var/run/secrets/istio/root-cert.pem");
      }
      flag("--token", () -> BearerTokenCredentials.readToken(token));
      security = new PilotChannels.Security.Tls(ca, token, Optional.ofNullable(tlsServerName));
    }
    if (!OWNER.matcher(owner).matches()) {
      throw new IllegalArgumentException("--owner: '" + owner + "' is not valid (expected lower-case letters, digits, '-' and '.', e.g. xds-agent)");
    }
    String ip = nodeIp != null ? nodeIp : primaryIpv4();
    String pod = podName != null ? podName : hostName();
    NodeIdentity node = flag("--node-ip/--pod-name/--namespace/--label", () -> new NodeIdentity(
        ip, pod, namespace, clusterId, istioVersion, labels, Optional.ofNullable(serviceAccount), clusterDomain));
    io.ax.xds.dns.HostResolver resolver;
    try {
      resolver = io.ax.xds.dns.DnsJavaResolver.create(io.ax.core.dns.DnsConfig.parseServers("--dns-servers", dnsServers));
    } catch (io.ax.core.field.InvalidFieldException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return new Setup(address, security, node, flag("--resync", () -> parseDuration(resync)), resolver);
  }

  private int run(Setup setup) throws InterruptedException {
    AdsConfig adsConfig = AdsConfig.of(setup.node().toNode());
    ManagedChannel channel;
    try {
      // Lazy: this checks the CA file but does not connect yet.
      channel = PilotChannels.open(setup.address(), setup.security(), adsConfig.maxInboundMessageBytes());
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("ax agent: --ca: " + e.getMessage());
      return 1;
    }
    Dataplane dataplane;
    try {
      dataplane = dryRun ? new DryRunDataplane(System.out) : new AdminDataplane(adminSocket, owner);
    } catch (IllegalArgumentException e) {
      channel.shutdownNow();
      spec.commandLine().getErr().println("ax agent: " + e.getMessage());
      return 1;
    }
    java.util.concurrent.atomic.AtomicReference<AdsClient> adsRef = new java.util.concurrent.atomic.AtomicReference<>();
    AgentMetrics metrics = new AgentMetrics(() -> adsRef.get() == null ? new io.ax.xds.ads.AdsStats(0, 0, 0, 0, 0, 0, 0) : adsRef.get().stats());
    Optional<io.ax.core.metrics.MetricsServer> metricsServer;
    try {
      metricsServer = MetricsEndpoint.serve(metricsPort, metricsAddress, metrics.registry());
    } catch (IllegalArgumentException | io.ax.core.field.InvalidFieldException | java.io.IOException e) {
      channel.shutdownNow();
      dataplane.close();
      spec.commandLine().getErr().println("ax agent: " + e.getMessage());
      return 1;
    }
    dataplane = metrics.metered(dataplane);
    SerialScheduler adsScheduler = SerialScheduler.singleThread("ax-ads");
    SerialScheduler agentScheduler = SerialScheduler.singleThread("ax-agent");
    // The agent resolves the hosts of DNS clusters itself, as Envoy does; a changed answer translates again.
    java.util.concurrent.atomic.AtomicReference<Agent> agentRef = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.ExecutorService dnsQueries = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    io.ax.xds.dns.DnsRefresher dns = new io.ax.xds.dns.DnsRefresher(setup.resolver(), agentScheduler, dnsQueries,
        io.ax.xds.dns.DnsRefresher.Config.DEFAULTS, () -> agentRef.get().refresh());
    Agent agent = new Agent(io.ax.xds.dns.DnsClusters.translator(dns), dataplane, agentScheduler, new SplittableRandom(),
        new Agent.Config(Agent.Config.DEFAULT_DEBOUNCE, setup.resync(), Agent.Config.DEFAULT_PUSH_RETRY, Agent.Config.DEFAULT_WARMUP));
    agentRef.set(agent);
    AdsClient ads = new AdsClient(channel, PilotChannels.credentials(setup.security()), adsConfig, ResourceDecoder.standard(), agent,
        adsScheduler, new SplittableRandom());
    adsRef.set(ads);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        stopped.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "ax-agent-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    log.info("[agent] xDS from {} ({}) as {}; vservices {} as owner '{}'", setup.address(),
        setup.security() instanceof PilotChannels.Security.Tls ? "TLS" : "plaintext", setup.node().nodeId(),
        dryRun ? "printed (dry run)" : "pushed to " + adminSocket, owner);
    try {
      ads.start();
      stop.await();
      log.info("[agent] stopping");
    } finally {
      ads.close();
      agent.close();
      agentScheduler.execute(dns::close);
      dnsQueries.shutdownNow();
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
      dataplane.close();
      metricsServer.ifPresent(io.ax.core.metrics.MetricsServer::close);
      adsScheduler.close();
      agentScheduler.close();
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook is what stopped us
      }
    }
    return 0;
  }

  /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
  static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (expected a number and a unit: ms, s, m or h, e.g. 30s)");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("'" + text + "' is too short (expected at least 1s)");
    }
    return d;
  }

  private static <T> T flag(String name, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage());
    }
  }

  /** The first interface that is up, not loopback, with an IPv4 address; else 127.0.0.1. */
  private static String primaryIpv4() {
    try {
      List<NetworkInterface> all = Collections.list(NetworkInterface.getNetworkInterfaces());
      all.sort(Comparator.comparingInt(NetworkInterface::getIndex));
      for (NetworkInterface nif : all) {
        if (nif.isUp() && !nif.isLoopback()) {
          for (InetAddress a : Collections.list(nif.getInetAddresses())) {
            if (a instanceof Inet4Address) {
              return a.getHostAddress();
            }
          }
        }
      }
    } catch (SocketException e) {
      log.warn("[agent] cannot list network interfaces ({}); using 127.0.0.1 as the node IP", e.getMessage());
    }
    return "127.0.0.1";
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
    } catch (UnknownHostException e) {
      return System.getenv().getOrDefault("HOSTNAME", "localhost").toLowerCase(Locale.ROOT);
    }
  }
}
