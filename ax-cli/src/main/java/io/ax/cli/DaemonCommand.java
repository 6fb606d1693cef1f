package io.ax.cli;

import io.ax.bridge.WakeUp;
import io.ax.core.admin.AdminServer;
import io.ax.core.claims.ClaimsPolicy;
import io.ax.core.cluster.ClusterConfig;
import io.ax.core.cluster.ClusterTls;
import io.ax.core.daemon.Daemon;
import io.ax.core.daemon.DaemonConfig;
import io.ax.core.daemon.NodeAddress;
import io.ax.core.dns.DnsConfig;
import io.ax.core.federation.FederationConfig;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.mesh.OutboundPolicy;
import io.ax.core.net.Ipv4;
import io.ax.core.ports.PortRanges;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code ax daemon}: AppSwitch's daemon flags with their defaults. Flags of features that are
 * not built yet are accepted by the parser, so {@code --help} shows the whole reference, and
 * refused with one line when given.
 */
@Command(
    name = "daemon",
    description = "Start the ax daemon.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    footer = {"", "Examples:", "  ax daemon", "  ax daemon --clean --node-name node1 --ports '4000,6000-8000'"})
final class DaemonCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(DaemonCommand.class);

  @Spec CommandSpec spec;

  @Option(names = "--driver", paramLabel = "NAME", defaultValue = "user",
      description = "System call forwarding driver: 'user' (seccomp user notification; 'kernel' is not supported) (default: ${DEFAULT-VALUE}).")
  String driver;

  @Option(names = "--node-interface", paramLabel = "INTERFACE",
      description = "Node interface to use: an IP address or an interface name, eg eth0 (default: the first interface that is up with an IPv4 address).")
  String nodeInterface;

  @Option(names = "--neighbors", paramLabel = "CSV",
      description = "List (csv) of IP addresses (IP or IP:port) of cluster neighbors; any live one lets this node join. Without it (or --gossip-auto-discover) the node is a one-node mesh with no gossip port; the first node of a cluster may name itself.")
  String neighbors;

  @Option(names = "--clean", description = "Remove any saved state from previous sessions.")
  boolean clean;

  @Option(names = "--node-name", paramLabel = "NAME", description = "Name of the node (defaults to host name).")
  String nodeName;

  @Option(names = "--cpu-profile", paramLabel = "FILE", description = "Write a CPU profile (JFR) to FILE at shutdown.")
  Path cpuProfile;

  @Option(names = "--mem-profile", paramLabel = "FILE", description = "Write a memory profile (JFR) to FILE at shutdown.")
  Path memProfile;

  @Option(names = "--dns", arity = "0..1", defaultValue = "true", fallbackValue = "true", paramLabel = "BOOL",
      description = "Start the built-in DNS server (default: ${DEFAULT-VALUE}).")
  boolean dns;

  @Option(names = "--dns-domain", paramLabel = "NAME", defaultValue = DnsConfig.DEFAULT_DOMAIN, description = "DNS domain name suffix (default: ${DEFAULT-VALUE}).")
  String dnsDomain;

  @Option(names = "--dns-servers", paramLabel = "CSV", description = "List (csv) of 'IP[:port]' strings of forwarding servers.")
  String dnsServers;

  @Option(names = "--tls", description = "Enable Transport Layer Security between daemons.")
  boolean tls;

  @Option(names = "--tls-ca-cert", paramLabel = "FILE", description = "Path to TLS CA certificate file.")
  Path tlsCaCert;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "Path to TLS certificate file.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "Path to TLS key file.")
  Path tlsKey;

  @Option(names = "--ports", paramLabel = "CSV", defaultValue = DaemonConfig.DEFAULT_PORTS,
      description = "List (csv) of ports, or port ranges, reserved for applications (default: ${DEFAULT-VALUE}).")
  String ports;

  @Option(names = "--rest-port", paramLabel = "NUMBER", defaultValue = "" + DaemonConfig.DEFAULT_REST_PORT, description = "REST API port number (default: ${DEFAULT-VALUE}).")
  int restPort;

  @Option(names = "--rest-address", paramLabel = "IP", defaultValue = DaemonConfig.DEFAULT_REST_ADDRESS,
      description = "Address the REST API listens on; 0.0.0.0 opens it to the network (default: ${DEFAULT-VALUE}).")
  String restAddress;

  @Option(names = "--gossip-port", paramLabel = "NUMBER", defaultValue = "" + ClusterConfig.DEFAULT_GOSSIP_PORT,
      description = "Gossip protocol port number on the node IP; failure detection also uses this port + 100 (default: ${DEFAULT-VALUE}).")
  int gossipPort;

  @Option(names = "--gossip-auto-discover", description = "Auto discover neighbors on the node's LAN (IP multicast, TTL 1).")
  boolean gossipAutoDiscover;

  @Option(names = "--egress-gateway", description = "Configure node as egress gateway.")
  boolean egressGateway;

  @Option(names = "--cluster", paramLabel = "NAME", defaultValue = DaemonConfig.DEFAULT_CLUSTER,
      description = "Cluster name. Required if cluster is part of a federation (default: ${DEFAULT-VALUE}).")
  String cluster;

  @Option(names = "--federation-gateway-ip", paramLabel = "INTERFACE",
      description = "IP address or interface name for federation connectivity: makes this node a federation gateway of its --cluster.")
  String federationGatewayIp;

  @Option(names = "--federation-gateway-advertise-ip", paramLabel = "IP", description = "Required iff proxy node is behind NAT: the address other gateways reach it at.")
  String federationGatewayAdvertiseIp;

  @Option(names = "--federation-gateway-port", paramLabel = "NUMBER", defaultValue = "" + FederationConfig.DEFAULT_PORT,
      description = "TCP port number for federation gateway sessions (default: ${DEFAULT-VALUE}).")
  int federationGatewayPort;

  @Option(names = "--federation-gateway-gossip-port", paramLabel = "NUMBER", defaultValue = "" + FederationConfig.DEFAULT_GOSSIP_PORT,
      description = "Federation gossip protocol port number; failure detection also uses this port + 100 (default: ${DEFAULT-VALUE}).")
  int federationGatewayGossipPort;

  @Option(names = "--federation-gateway-neighbors", paramLabel = "CSV",
      description = "List (csv) of IP addresses (IP or IP:port) of federation neighbors (other gateway nodes, of any cluster).")
  String federationGatewayNeighbors;

  @Option(names = "--run-dir", paramLabel = "DIR", defaultValue = DaemonConfig.DEFAULT_RUN_DIR,
      description = "Directory of the admin socket, the saved state and the lock (default: ${DEFAULT-VALUE}).")
  Path runDir;

  @Option(names = "--admin-group", paramLabel = "GROUP", description = "A group whose members may use the admin socket besides root.")
  String adminGroup;

  @Option(names = "--claims-policy", paramLabel = "FILE",
      description = "Which users other than root may claim which labels, IPs and names in 'ax run' (default: the built-in policy).")
  Path claimsPolicy;

  @Option(names = "--admin-port", paramLabel = "NUMBER", defaultValue = "" + DaemonConfig.DEFAULT_ADMIN_PORT,
      description = "Also serve the admin API on this TCP port of --admin-address; 0 turns TCP off (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(names = "--admin-address", paramLabel = "IP", defaultValue = DaemonConfig.DEFAULT_ADMIN_ADDRESS, description = "Address for --admin-port (default: ${DEFAULT-VALUE}).")
  String adminAddress;

  @Option(names = "--locality", paramLabel = "REGION/ZONE/SUBZONE",
      description = "Where this node runs, for Istio's localityLbSetting: vservices that set it prefer backends in this locality (default: none).")
  String locality = "";

  @Option(names = "--outbound-traffic-policy", paramLabel = "MODE", defaultValue = "ALLOW_ANY",
      description = "Istio's outboundTrafficPolicy: ALLOW_ANY connects an address the mesh has never held directly; REGISTRY_ONLY refuses it (ECONNREFUSED) (default: ${DEFAULT-VALUE}).")
  String outboundTrafficPolicy;

  @Option(names = "--metrics-port", paramLabel = "NUMBER", defaultValue = "" + DaemonConfig.DEFAULT_METRICS_PORT,
      description = "Serve Prometheus metrics on this TCP port of --metrics-address at /metrics; 0 turns them off (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--metrics-address", paramLabel = "IP", defaultValue = DaemonConfig.DEFAULT_METRICS_ADDRESS,
      description = "Address for --metrics-port; 0.0.0.0 opens it to the network (default: ${DEFAULT-VALUE}).")
  String metricsAddress;

  // For benchmarks: compare the kernel's wake-up modes (ci/bench/datapath.sh); true is
  // DaemonConfig.DEFAULT_WAKE_UP.
  @Option(names = "--seccomp-sync-wakeup", hidden = true, arity = "0..1", defaultValue = "true", fallbackValue = "true")
  boolean syncWakeUp;

  @Override
  public Integer call() throws InterruptedException {
    DaemonConfig config = config(spec.commandLine().getParseResult()).withMetrics(metrics()).withOutbound(outbound()).withClaims(claims()).withLocality(locality());
    Daemon daemon;
    try {
      daemon = Daemon.start(config);
    } catch (Daemon.DaemonStartException e) {
      throw new CliException(e.getMessage(), e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("[daemon] stopping");
      daemon.close();
    }, "ax-shutdown"));
    daemon.awaitStop();
    return 0;
  }

  private DaemonConfig config(ParseResult parsed) {
    if (!driver.equals("user")) {
      throw new CliException("--driver: '" + driver + "' is not supported (expected 'user'; ax has no kernel module)");
    }
    try {
      PortRanges portRanges = PortRanges.parse("--ports", ports);
      Ipv4 nodeIp = NodeAddress.resolve(Optional.ofNullable(nodeInterface));
      Optional<ClusterConfig> joins = peers(nodeIp);
      return new DaemonConfig(
          runDir,
          nodeName != null ? checkedName("--node-name", nodeName) : hostName(),
          checkedName("--cluster", cluster),
          nodeIp,
          portRanges,
          socketAddress("--rest-address", restAddress, "--rest-port", restPort),
          new AdminServer.Config(
              runDir.resolve("admin.sock"),
              Optional.ofNullable(adminGroup),
              adminPort == 0 ? Optional.empty() : Optional.of(socketAddress("--admin-address", adminAddress, "--admin-port", adminPort))),
          clean,
          Optional.ofNullable(cpuProfile),
          Optional.ofNullable(memProfile),
          syncWakeUp ? WakeUp.SYNC : WakeUp.DEFAULT,
          // On the node's IP, port 53: apps' sockets live in the node's network, and resolv.conf
          // cannot name another port.
          dns ? Optional.of(DnsConfig.of(new InetSocketAddress(addressOf(nodeIp), DnsConfig.DEFAULT_PORT), dnsDomain, dnsServers == null ? "" : dnsServers))
              : Optional.empty(),
          joins,
          egressGateway(joins),
          federation(parsed, joins));
    } catch (InvalidFieldException e) {
      throw new CliException(e.getMessage());
    }
  }

  private io.ax.core.model.Locality locality() {
    try {
      return io.ax.core.model.Locality.parse("--locality", locality);
    } catch (io.ax.core.field.InvalidFieldException e) {
      throw new CliException(e.getMessage());
    }
  }

  private OutboundPolicy outbound() {
    try {
      return OutboundPolicy.parse("--outbound-traffic-policy", outboundTrafficPolicy);
    } catch (InvalidFieldException e) {
      throw new CliException(e.getMessage());
    }
  }

  /** {@code --claims-policy FILE}, read once at start; without it the built-in policy. */
  private ClaimsPolicy claims() {
    try {
      return claimsPolicy == null ? ClaimsPolicy.BUILT_IN : ClaimsPolicy.load(claimsPolicy);
    } catch (InvalidFieldException e) {
      throw new CliException(e.getMessage());
    }
  }

  /** {@code --metrics-port} on {@code --metrics-address}, or none for port 0. */
  private Optional<InetSocketAddress> metrics() {
    try {
      return metricsPort == 0 ? Optional.empty() : Optional.of(socketAddress("--metrics-address", metricsAddress, "--metrics-port", metricsPort));
    } catch (InvalidFieldException e) {
      throw new CliException(e.getMessage());
    }
  }

  /** {@code --egress-gateway}, which carries the other nodes' connections: a cluster's. */
  private boolean egressGateway(Optional<ClusterConfig> peers) {
    if (egressGateway && peers.isEmpty()) {
      throw new InvalidFieldException("--egress-gateway", "carries the connections of the cluster's other nodes; give --neighbors or --gossip-auto-discover too");
    }
    return egressGateway;
  }

  /**
   * {@code --federation-gateway-*}: this node as its cluster's federation gateway when
   * {@code --federation-gateway-ip} is given. Cluster names tell the clusters apart in the
   * federation, so a gateway must name its cluster.
   */
  private Optional<FederationConfig> federation(ParseResult parsed, Optional<ClusterConfig> peers) {
    if (federationGatewayIp == null) {
      for (String flag : List.of("--federation-gateway-advertise-ip", "--federation-gateway-port", "--federation-gateway-gossip-port", "--federation-gateway-neighbors")) {
        if (parsed.hasMatchedOption(flag)) {
          throw new InvalidFieldException(flag, "configures a federation gateway; give --federation-gateway-ip too");
        }
      }
      return Optional.empty();
    }
    if (!parsed.hasMatchedOption("--cluster")) {
      throw new InvalidFieldException("--cluster", "a federation gateway needs its cluster's name, unique in the federation (every node of the cluster gives the same --cluster)");
    }
    Ipv4 ip = NodeAddress.resolve("--federation-gateway-ip", Optional.of(federationGatewayIp));
    Ipv4 advertised = federationGatewayAdvertiseIp == null ? ip : Ipv4.parse("--federation-gateway-advertise-ip", federationGatewayAdvertiseIp);
    if (federationGatewayPort < 1 || federationGatewayPort > 65535) {
      throw new InvalidFieldException("--federation-gateway-port", "port " + federationGatewayPort + " is out of range (expected 1-65535)");
    }
    int gossip = federationGatewayGossipPort;
    if (gossip < 1 || gossip > 65535 - ClusterConfig.FAILURE_DETECTION_PORT_OFFSET) {
      throw new InvalidFieldException("--federation-gateway-gossip-port", "port " + gossip + " is out of range (expected 1-" + (65535 - ClusterConfig.FAILURE_DETECTION_PORT_OFFSET) + ": failure detection listens 100 above it)");
    }
    List<InetSocketAddress> hosts = neighbors("--federation-gateway-neighbors", federationGatewayNeighbors, gossip, ip);
    return Optional.of(new FederationConfig(ip, advertised, federationGatewayPort, gossip, hosts, peers.flatMap(ClusterConfig::tls).or(this::tlsContextAlone)));
  }

  /** A gateway of a one-node cluster may still secure its federation gossip with --tls. */
  private Optional<SSLContext> tlsContextAlone() {
    return tls ? tlsContext() : Optional.empty();
  }

  /** The cluster this node joins, or none when it names no neighbor and discovers none. */
  private Optional<ClusterConfig> peers(Ipv4 nodeIp) {
    // --neighbors naming only this node is how the first node of a cluster opens its port.
    if ((neighbors == null || neighbors.isBlank()) && !gossipAutoDiscover) {
      if (tls && federationGatewayIp == null) {
        throw new InvalidFieldException("--tls", "secures the traffic between daemons of a cluster; give --neighbors or --gossip-auto-discover too");
      }
      return Optional.empty();
    }
    List<InetSocketAddress> hosts = neighbors("--neighbors", neighbors, gossipPort, nodeIp);
    if (gossipPort < 1 || gossipPort > 65535 - ClusterConfig.FAILURE_DETECTION_PORT_OFFSET) {
      throw new InvalidFieldException("--gossip-port", "port " + gossipPort + " is out of range (expected 1-" + (65535 - ClusterConfig.FAILURE_DETECTION_PORT_OFFSET) + ": failure detection listens 100 above it)");
    }
    return Optional.of(new ClusterConfig(gossipPort, hosts, gossipAutoDiscover, tlsContext(), ClusterConfig.Timing.DEFAULT, ClusterConfig.Limits.DEFAULT));
  }

  /** {@code --tls} and its three files, all or none. */
  private Optional<SSLContext> tlsContext() {
    if (!tls) {
      for (String flag : List.of("--tls-ca-cert", "--tls-cert", "--tls-key")) {
        if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
          throw new InvalidFieldException(flag, "is given but --tls is not (add --tls to use TLS between daemons)");
        }
      }
      return Optional.empty();
    }
    if (tlsCaCert == null || tlsCert == null || tlsKey == null) {
      throw new InvalidFieldException("--tls", "needs --tls-ca-cert, --tls-cert and --tls-key (PEM files)");
    }
    return Optional.of(ClusterTls.load(tlsCaCert, tlsCert, tlsKey));
  }

  /** A neighbors flag: IP or IP:PORT items (PORT defaults to {@code defaultPort}); this node's own address is left out. */
  private static List<InetSocketAddress> neighbors(String flag, String csv, int defaultPort, Ipv4 selfIp) {
    List<InetSocketAddress> hosts = new ArrayList<>();
    if (csv == null) {
      return hosts;
    }
    for (String item : csv.split(",")) {
      String t = item.strip();
      if (t.isEmpty()) {
        continue;
      }
      int colon = t.indexOf(':');
      String ip = colon < 0 ? t : t.substring(0, colon);
      int port = defaultPort;
      if (colon >= 0) {
        try {
          port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
          port = -1;
        }
        if (port < 1 || port > 65535) {
          throw new InvalidFieldException(flag, "'" + t + "' has no valid port (expected IP or IP:PORT with PORT 1-65535)");
        }
      }
      Ipv4 addr = Ipv4.parse(flag, ip);
      if (!(addr.equals(selfIp) && port == defaultPort)) {
        hosts.add(new InetSocketAddress(addressOf(addr), port));
      }
    }
    return hosts;
  }

  private static InetAddress addressOf(Ipv4 ip) {
    try {
      return InetAddress.getByAddress(ip.toBytes());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InetSocketAddress socketAddress(String ipFlag, String ip, String portFlag, int port) {
    if (port < 0 || port > 65535) {
      throw new InvalidFieldException(portFlag, "port " + port + " is out of range (expected 0-65535)");
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(Ipv4.parse(ipFlag, ip).toBytes()), port);
    } catch (UnknownHostException e) {
      throw new InvalidFieldException(ipFlag, e.getMessage());
    }
  }

  private static String checkedName(String flag, String name) {
    if (name.isBlank() || name.length() > 253 || !name.chars().allMatch(c -> c > ' ' && c < 127)) {
      throw new InvalidFieldException(flag, "'" + name + "' is not a valid name (expected 1-253 printable characters, no spaces)");
    }
    return name;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return List.of(System.getenv().getOrDefault("HOSTNAME", "localhost")).getFirst();
    }
  }
}
