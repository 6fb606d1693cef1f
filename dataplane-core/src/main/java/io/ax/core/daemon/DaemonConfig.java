package io.ax.core.daemon;

import io.ax.bridge.server.BridgeServer;
import io.ax.core.admin.AdminServer;
import io.ax.core.dns.DnsConfig;
import io.ax.core.net.Ipv4;
import io.ax.core.ports.PortRanges;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one daemon runs with, checked. Built by {@code ax daemon} from its flags, whose
 * defaults (and the reasons for them) are documented there.
 *
 * @param runDir where the admin socket, the state file and the lock live ({@code /var/run/appswitch})
 * @param nodeName the node id that owns this daemon's service table entries
 * @param nodeIp the node's IP: where apps' sockets are really bound and what peers dial
 * @param clean drop the saved state instead of restoring it
 * @param dns the built-in DNS server, empty for {@code --dns=false}
 * @param wakeUp how apps are woken when a trapped call is answered (SYNC, except to measure)
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
    BridgeServer.WakeUp wakeUp,
    Optional<DnsConfig> dns) {
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
  }

  public Path stateFile() {
    return runDir.resolve("state.pb");
  }

  /** What {@code ax run --dns-override} mounts over an app's /etc/resolv.conf. */
  public Path resolvConf() {
    return runDir.resolve("resolv.conf");
  }

  public Path lockFile() {
    return runDir.resolve("daemon.lock");
  }
}
