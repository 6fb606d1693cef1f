package io.ax.core.daemon;

import io.ax.bridge.WakeUp;
import io.ax.core.admin.AdminServer;
import io.ax.core.claims.ClaimsPolicy;
import io.ax.core.cluster.ClusterConfig;
import io.ax.core.dns.DnsConfig;
import io.ax.core.federation.FederationConfig;
import io.ax.core.mesh.OutboundPolicy;
import io.ax.core.model.Locality;
import io.ax.core.net.Ipv4;
import io.ax.core.ports.PortRanges;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one daemon runs with, checked. Built by {@code ax daemon} from its flags; the flags'
 * defaults are the {@code DEFAULT_} constants below, each with the reason for its value. (String
 * and int constants, so that picocli's annotations can name them.)
 *
 * @param runDir where the admin socket, the state file and the lock live ({@code /var/run/appswitch})
 * @param nodeName the node id that owns this daemon's service table entries
 * @param cluster the cluster this node belongs to
 * @param nodeIp the node's IP: where apps' sockets are really bound and what peers dial
 * @param ports the pool of host ports that apps' virtual binds really get
 * @param rest where the REST API listens
 * @param admin the admin gRPC API's socket, group and optional TCP address
 * @param clean drop the saved state instead of restoring it
 * @param cpuProfile a JFR recording written at shutdown, if any
 * @param memProfile a JFR memory recording written at shutdown, if any
 * @param dns the built-in DNS server, empty for {@code --dns=false}
 * @param wakeUp how apps are woken when a trapped call is answered (SYNC, except to measure)
 * @param peers how this node joins the other nodes of its cluster; empty for a one-node mesh,
 *     which opens no gossip port
 * @param egressGateway whether this node carries the cluster's connections to the outside
 * @param federation this node as a federation gateway of its cluster; empty for other nodes
 * @param metrics where {@code /metrics} is served; empty for none
 * @param outbound whether apps may connect to addresses the mesh has never held
 * @param claims who other than root may claim which labels, vIPs and names in {@code ax run}
 * @param locality where this node runs ({@code --locality}), which vservices with Istio's
 *     {@code localityLbSetting} prefer backends by; {@link Locality#NONE} prefers none
 */
public record DaemonConfig(
    Path runDir,
    String nodeName,
    String cluster,
    Ipv4 nodeIp,
    PortRanges ports,
    InetSocketAddress rest,
    AdminServer.Config admin,
    boolean clean,
    Optional<Path> cpuProfile,
    Optional<Path> memProfile,
    WakeUp wakeUp,
    Optional<DnsConfig> dns,
    Optional<ClusterConfig> peers,
    boolean egressGateway,
    Optional<FederationConfig> federation,
    Optional<InetSocketAddress> metrics,
    OutboundPolicy outbound,
    ClaimsPolicy claims,
    Locality locality) {

  /**
   * {@code /var/run/appswitch}: AppSwitch's run directory, which its users' scripts and container
   * mounts name, and where {@code ax run} looks for {@code bridge.sock} unless told otherwise
   * (the launcher's compiled-in default is the same path).
   */
  public static final String DEFAULT_RUN_DIR = "/var/run/appswitch";

  /** {@code appswitch}: AppSwitch's cluster name, so a node without the flag joins its peers. */
  public static final String DEFAULT_CLUSTER = "appswitch";

  /**
   * {@code 40000-60000}: AppSwitch's pool of host ports for apps' listening sockets, so that
   * firewall rules written for AppSwitch still hold; 20,001 ports are more listeners than a node
   * runs.
   */
  public static final String DEFAULT_PORTS = "40000-60000";

  /** 6664: AppSwitch's REST port, so its REST clients and documentation work unchanged. */
  public static final int DEFAULT_REST_PORT = 6664;

  /**
   * {@code 127.0.0.1}: REST reads need no token and changes carry theirs in clear HTTP
   * ({@code RestToken}), so it listens on loopback unless the operator opens it with
   * {@code --rest-address}.
   */
  public static final String DEFAULT_REST_ADDRESS = "127.0.0.1";

  /**
   * 0 (TCP off): the admin socket's file mode is the admin API's access control (root and
   * {@code --admin-group}); TCP has none, so it is served only when asked for.
   */
  public static final int DEFAULT_ADMIN_PORT = 0;

  /** {@code 127.0.0.1}: where {@code --admin-port} listens, loopback for the same reason as REST. */
  public static final String DEFAULT_ADMIN_ADDRESS = "127.0.0.1";

  /**
   * 6665: next to AppSwitch's REST port, in the 666x block its ports already take (6660 federation,
   * 6661 egress, 6664 REST), so one firewall rule covers ax; not Istio's 15090 or 15020, which an
   * Istio node's sidecars and agents hold. 0 turns /metrics off.
   */
  public static final int DEFAULT_METRICS_PORT = 6665;

  /**
   * {@code 127.0.0.1}: the metrics name every app, vservice and backend of the node, which is
   * nobody else's business; a Prometheus on the node (or an agent scraping for it) reads loopback,
   * and {@code --metrics-address} opens it to a remote one.
   */
  public static final String DEFAULT_METRICS_ADDRESS = "127.0.0.1";

  /**
   * SYNC: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP wakes the app on the answering CPU; without it a
   * connect()'s p50 under ax went from 42 to 90 µs and new connections per second fell about five
   * times (docs/bench/RESULTS.md). DEFAULT is there to measure that difference.
   */
  public static final WakeUp DEFAULT_WAKE_UP = WakeUp.SYNC;

  public DaemonConfig {
    Objects.requireNonNull(runDir, "runDir");
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(nodeIp, "nodeIp");
    Objects.requireNonNull(ports, "ports");
    Objects.requireNonNull(rest, "rest");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(cpuProfile, "cpuProfile");
    Objects.requireNonNull(memProfile, "memProfile");
    Objects.requireNonNull(wakeUp, "wakeUp");
    Objects.requireNonNull(dns, "dns");
    Objects.requireNonNull(peers, "peers");
    Objects.requireNonNull(federation, "federation");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(outbound, "outbound");
    Objects.requireNonNull(claims, "claims");
    Objects.requireNonNull(locality, "locality");
  }

  /** A node of no known locality. */
  public DaemonConfig(
      Path runDir, String nodeName, String cluster, Ipv4 nodeIp, PortRanges ports, InetSocketAddress rest, AdminServer.Config admin,
      boolean clean, Optional<Path> cpuProfile, Optional<Path> memProfile, WakeUp wakeUp, Optional<DnsConfig> dns, Optional<ClusterConfig> peers,
      boolean egressGateway, Optional<FederationConfig> federation, Optional<InetSocketAddress> metrics, OutboundPolicy outbound, ClaimsPolicy claims) {
    this(runDir, nodeName, cluster, nodeIp, ports, rest, admin, clean, cpuProfile, memProfile, wakeUp, dns, peers, egressGateway, federation, metrics, outbound, claims, Locality.NONE);
  }

  /** This config with {@code locality} as the node's ({@code --locality}). */
  public DaemonConfig withLocality(Locality locality) {
    return new DaemonConfig(runDir, nodeName, cluster, nodeIp, ports, rest, admin, clean, cpuProfile, memProfile, wakeUp, dns, peers, egressGateway, federation, metrics, outbound, claims, locality);
  }

  /** A node whose users claim what the built-in claims policy lets them. */
  public DaemonConfig(
      Path runDir, String nodeName, String cluster, Ipv4 nodeIp, PortRanges ports, InetSocketAddress rest, AdminServer.Config admin,
      boolean clean, Optional<Path> cpuProfile, Optional<Path> memProfile, WakeUp wakeUp, Optional<DnsConfig> dns, Optional<ClusterConfig> peers,
      boolean egressGateway, Optional<FederationConfig> federation, Optional<InetSocketAddress> metrics, OutboundPolicy outbound) {
    this(runDir, nodeName, cluster, nodeIp, ports, rest, admin, clean, cpuProfile, memProfile, wakeUp, dns, peers, egressGateway, federation, metrics, outbound,
        ClaimsPolicy.BUILT_IN);
  }

  /** A node that serves no /metrics. */
  public DaemonConfig(
      Path runDir, String nodeName, String cluster, Ipv4 nodeIp, PortRanges ports, InetSocketAddress rest, AdminServer.Config admin,
      boolean clean, Optional<Path> cpuProfile, Optional<Path> memProfile, WakeUp wakeUp, Optional<DnsConfig> dns, Optional<ClusterConfig> peers,
      boolean egressGateway, Optional<FederationConfig> federation) {
    this(runDir, nodeName, cluster, nodeIp, ports, rest, admin, clean, cpuProfile, memProfile, wakeUp, dns, peers, egressGateway, federation, Optional.empty(), OutboundPolicy.ALLOW_ANY);
  }

  /** This config with /metrics served at {@code metrics} (or not, when empty). */
  public DaemonConfig withMetrics(Optional<InetSocketAddress> metrics) {
    return new DaemonConfig(runDir, nodeName, cluster, nodeIp, ports, rest, admin, clean, cpuProfile, memProfile, wakeUp, dns, peers, egressGateway, federation, metrics, outbound, claims, locality);
  }

  /** This config with {@code outbound} as its outbound traffic policy. */
  public DaemonConfig withOutbound(OutboundPolicy outbound) {
    return new DaemonConfig(runDir, nodeName, cluster, nodeIp, ports, rest, admin, clean, cpuProfile, memProfile, wakeUp, dns, peers, egressGateway, federation, metrics, outbound, claims, locality);
  }

  /** This config with another claims policy ({@code --claims-policy}). */
  public DaemonConfig withClaims(ClaimsPolicy claims) {
    return new DaemonConfig(runDir, nodeName, cluster, nodeIp, ports, rest, admin, clean, cpuProfile, memProfile, wakeUp, dns, peers, egressGateway, federation, metrics, outbound, claims, locality);
  }

  /** A node that is no federation gateway. */
  public DaemonConfig(
      Path runDir, String nodeName, String cluster, Ipv4 nodeIp, PortRanges ports, InetSocketAddress rest, AdminServer.Config admin,
      boolean clean, Optional<Path> cpuProfile, Optional<Path> memProfile, WakeUp wakeUp, Optional<DnsConfig> dns, Optional<ClusterConfig> peers,
      boolean egressGateway) {
    this(runDir, nodeName, cluster, nodeIp, ports, rest, admin, clean, cpuProfile, memProfile, wakeUp, dns, peers, egressGateway, Optional.empty());
  }

  /** A daemon that is its own one-node cluster. */
  public DaemonConfig(
      Path runDir, String nodeName, String cluster, Ipv4 nodeIp, PortRanges ports, InetSocketAddress rest, AdminServer.Config admin,
      boolean clean, Optional<Path> cpuProfile, Optional<Path> memProfile, WakeUp wakeUp, Optional<DnsConfig> dns) {
    this(runDir, nodeName, cluster, nodeIp, ports, rest, admin, clean, cpuProfile, memProfile, wakeUp, dns, Optional.empty(), false);
  }

  public Path stateFile() {
    return runDir.resolve("state.pb");
  }

  /** What {@code ax run --dns-override} mounts over an app's /etc/resolv.conf. */
  public Path resolvConf() {
    return runDir.resolve("resolv.conf");
  }

  /** The vservice stamps of a clustered node (see {@code io.ax.core.cluster.StampFile}). */
  public Path stampFile() {
    return runDir.resolve("cluster.pb");
  }

  public Path lockFile() {
    return runDir.resolve("daemon.lock");
  }
}
