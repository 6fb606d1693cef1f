package io.ax.core.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.MPING;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;
import org.jgroups.util.TLS;
import org.jgroups.util.TLSClientAuth;

/**
 * The JGroups protocol stack of a daemon, built in code so that every value is a {@link
 * ClusterConfig} field with its reason rather than an XML file to keep in step. It is JGroups'
 * own TCP stack ({@code tcp.xml}) with faster failure detection:
 *
 * <ul>
 *   <li>TCP on NODE-IP:{@code --gossip-port} only (port_range 0: a busy port is an error, not a
 *       silent move to the next one that neighbors would not find); TLS when configured, with
 *       client certificates required.
 *   <li>TCPPING with the neighbors, and MPING (multicast, TTL 1) for {@code --gossip-auto-discover}.
 *   <li>MERGE3 heals partitions; FD_SOCK2 (on gossip-port + 100) sees a killed daemon at once;
 *       FD_ALL3 sees a silent one; VERIFY_SUSPECT2 double-checks before a node is declared dead.
 *   <li>NAKACK2 and UNICAST3 make messages reliable and FIFO per sender, which the owner-based
 *       replication relies on; STABLE trims their buffers; GMS installs views; MFC/UFC bound what
 *       a fast sender queues; FRAG4 splits large snapshots.
 * </ul>
 */
public final class ClusterStack {
  private ClusterStack() {}

  public static List<Protocol> build(ClusterConfig config, InetAddress bindAddress) {
    return build(config, bindAddress, bindAddress);
  }

  /**
   * As {@link #build(ClusterConfig, InetAddress)}, with the address the other members are told to
   * connect to when a NAT stands between them and {@code bindAddress} (federation gateways'
   * {@code --federation-gateway-advertise-ip}).
   */
  public static List<Protocol> build(ClusterConfig config, InetAddress bindAddress, InetAddress advertised) {
    ClusterConfig.Timing t = config.timing();
    TCP tcp = new TCP();
    tcp.setBindAddress(bindAddress);
    if (!advertised.equals(bindAddress)) {
      tcp.setExternalAddr(advertised);
    }
    tcp.setBindPort(config.gossipPort());
    tcp.setPortRange(0);
    config.tls().ifPresent(ctx -> tcp.tls(new TLS().enabled(true).setSSLContext(ctx).setClientAuth(TLSClientAuth.NEED)));

    List<Protocol> stack = new ArrayList<>();
    stack.add(tcp);
    if (config.autoDiscover()) {
      try {
        stack.add(new MPING().setBindAddr(bindAddress).setMcastAddr(InetAddress.getByName(ClusterConfig.AUTO_DISCOVER_GROUP)).setMcastPort(ClusterConfig.AUTO_DISCOVER_PORT).setTTL(1));
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
    TCPPING ping = new TCPPING();
    ping.setInitialHosts(config.neighbors());
    ping.setPortRange(0);
    stack.add(ping);
    stack.add(new MERGE3().setMinInterval(t.mergeMin().toMillis()).setMaxInterval(t.mergeMax().toMillis()));
    stack.add(new FD_SOCK2().setBindAddress(bindAddress).setOffset(ClusterConfig.FAILURE_DETECTION_PORT_OFFSET).setPortRange(0));
    FD_ALL3 fdAll = new FD_ALL3();
    fdAll.setTimeout(t.suspectAfter().toMillis());
    fdAll.setInterval(t.heartbeat().toMillis());
    stack.add(fdAll);
    stack.add(new VERIFY_SUSPECT2().setTimeout(t.verify().toMillis()));
    stack.add(new NAKACK2().useMcastXmit(false));
    stack.add(new UNICAST3());
    stack.add(new STABLE().setDesiredAverageGossip(20_000));
    GMS gms = new GMS();
    gms.setJoinTimeout(t.joinTimeout().toMillis());
    gms.printLocalAddress(false);
    stack.add(gms);
    stack.add(new MFC());
    stack.add(new UFC());
    stack.add(new FRAG4());
    return stack;
  }
}
