package io.ax.core.federation;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.cluster.ClusterConfig;
import io.ax.core.cluster.ClusterStack;
import io.ax.core.federation.FederationMessages.MalformedFederationMessage;
import io.ax.core.federation.FederationMessages.Summary;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.stack.IpAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The federation gateways' own JGroups group, on the federation gossip port: the gateways of every
 * cluster are its members, and each sends its cluster's services whole whenever they change and
 * whenever a member joins. A member's summary lives as long as the member: when a gateway leaves
 * or is declared dead (the same failure detection as a cluster's), what it offered is gone.
 *
 * <p>Not JGroups' RELAY2, which bridges whole clusters: with it every node of each cluster would
 * carry the relay protocol and site masters would forward every cluster message across the WAN.
 * A cluster's table stays inside the cluster here; only the summary of its services crosses, and
 * only gateways hold a WAN address.
 *
 * <p>Messages and views are applied on one thread, in order; {@code onChange} runs there.
 */
public final class FederationGroup implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FederationGroup.class);

  private final String cluster;
  private final JChannel channel;
  private final Consumer<Map<String, RemoteCluster>> onChange;
  /**
   * Received messages and views waiting: bounded, and the receiving thread waits when it is full,
   * so that a gateway sending faster than this one applies is held back by JGroups' flow control
   * instead of filling the heap.
   */
  private final ExecutorService inbox = new java.util.concurrent.ThreadPoolExecutor(
      1, 1, 0, TimeUnit.MILLISECONDS, new java.util.concurrent.LinkedBlockingQueue<>(64), Thread.ofPlatform().daemon().name("ax-federation-in").factory(), (task, executor) -> {
        if (!executor.isShutdown()) {
          try {
            executor.getQueue().put(task);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
  private final long incarnation = System.currentTimeMillis();

  // Inbox thread only.
  private final Map<Address, Summary> summaries = new HashMap<>();
  private List<Address> members = List.of();
  private volatile byte[] mine;
  private volatile Map<String, RemoteCluster> remote = Map.of();
  /** The addresses gateways connect from: their JGroups addresses and advertised ingress IPs. */
  private volatile Set<Integer> gatewayIps = Set.of();
  private long lastWarning;

  private FederationGroup(String cluster, JChannel channel, Consumer<Map<String, RemoteCluster>> onChange) {
    this.cluster = cluster;
    this.channel = channel;
    this.onChange = onChange;
  }

  /**
   * Joins (or founds) the federation; returns once this gateway is a member.
   *
   * @param config the gossip port, neighbors and TLS (the cluster's timing and limits)
   * @param advertised the address the other gateways reach {@code bind} at (behind a NAT)
   * @param memberName how the others' logs name this gateway ({@code cluster/node})
   * @throws FederationStartException with one line when the gossip port cannot be opened
   */
  static FederationGroup join(
      ClusterConfig config, InetAddress bind, InetAddress advertised, String cluster, String memberName, Consumer<Map<String, RemoteCluster>> onChange) {
    JChannel channel;
    try {
      channel = new JChannel(ClusterStack.build(config, bind, advertised));
    } catch (Exception e) {
      throw new FederationStartException("cannot set up the federation stack: " + e.getMessage(), e);
    }
    FederationGroup g = new FederationGroup(cluster, channel, onChange);
    channel.setDiscardOwnMessages(true);
    channel.name(memberName);
    channel.setReceiver(new Receiver() {
      @Override
      public void receive(Message msg) {
        Address from = msg.getSrc();
        if (msg.getLength() > FederationMessages.MAX_MESSAGE_BYTES) {
          g.inbox.execute(() -> g.warn("[federation] dropped a message from {}: {} bytes, more than the {} allowed", from, msg.getLength(), FederationMessages.MAX_MESSAGE_BYTES));
          return;
        }
        byte[] bytes = Arrays.copyOfRange(msg.getArray(), msg.getOffset(), msg.getOffset() + msg.getLength());
        g.inbox.execute(() -> g.onMessage(from, bytes));
      }

      @Override
      public void viewAccepted(View v) {
        g.inbox.execute(() -> g.onView(v));
      }
    });
    try {
      channel.connect("ax-federation");
    } catch (Exception e) {
      g.close();
      throw new FederationStartException("cannot join the federation on " + bind.getHostAddress() + ":" + config.gossipPort() + ": " + rootMessage(e)
          + " (--federation-gateway-gossip-port sets the port; failure detection listens on it plus " + ClusterConfig.FAILURE_DETECTION_PORT_OFFSET + ")", e);
    }
    return g;
  }

  /** Sends this cluster's services to every gateway now, and to each that joins later. */
  void publish(String gateway, Inet4Endpoint ingress, long version, List<ExportedService> services) {
    byte[] bytes = FederationMessages.encode(cluster, gateway, ingress, incarnation, version, services);
    mine = bytes;
    send(null, bytes);
  }

  /** The other clusters, as of the last message or view. */
  Map<String, RemoteCluster> remote() {
    return remote;
  }

  /** Whether {@code ip} is a live gateway's (of any cluster, this one's included). */
  boolean isGateway(int ip) {
    return gatewayIps.contains(ip);
  }

  /** How many gateways, this one included, are members now. */
  int memberCount() {
    return members.size();
  }

  private void send(Address to, byte[] bytes) {
    try {
      channel.send(new BytesMessage(to, bytes));
    } catch (Exception e) {
      // The next change or view sends the whole summary again.
      log.warn("[federation] could not send this cluster's services{}: {}", to == null ? "" : " to " + to, rootMessage(e));
    }
  }

  private void onMessage(Address from, byte[] bytes) {
    Summary s;
    try {
      s = FederationMessages.decode(bytes, 0, bytes.length);
    } catch (MalformedFederationMessage e) {
      warn("[federation] dropped a message from {}: {}", from, e.getMessage());
      return;
    }
    if (!members.contains(from)) {
      return; // late, from a member that already left: its services are gone with it
    }
    if (s.cluster().equals(cluster)) {
      return; // another gateway of this cluster: its services are ours already
    }
    Summary before = summaries.get(from);
    if (before != null && before.incarnation() == s.incarnation() && before.version() >= s.version()) {
      return;
    }
    summaries.put(from, s);
    recompute();
  }

  private void onView(View v) {
    List<Address> next = v.getMembers();
    boolean joined = next.stream().anyMatch(a -> !members.contains(a) && !a.equals(channel.getAddress()));
    members = next;
    boolean lost = summaries.keySet().removeIf(a -> !next.contains(a));
    log.info("[federation] {} gateways in the federation: {}", next.size(), next);
    byte[] m = mine;
    if (joined && m != null) {
      send(null, m); // a newcomer (or a healed partition) hears this cluster's services
    }
    if (lost) {
      recompute();
    } else {
      updateGatewayIps();
    }
  }

  private void updateGatewayIps() {
    Set<Integer> ips = new HashSet<>();
    for (Address a : members) {
      if (channel.down(new Event(Event.GET_PHYSICAL_ADDRESS, a)) instanceof IpAddress p && p.getIpAddress() != null) {
        byte[] b = p.getIpAddress().getAddress();
        if (b.length == 4) {
          ips.add(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff));
        }
      }
    }
    summaries.values().forEach(s -> ips.add(s.ingress().ip()));
    gatewayIps = Set.copyOf(ips);
  }

  private void recompute() {
    Map<String, TreeSet<Inet4Endpoint>> gateways = new TreeMap<>();
    Map<String, Map<Inet4Endpoint, ExportedService>> services = new TreeMap<>();
    for (Summary s : summaries.values()) {
      gateways.computeIfAbsent(s.cluster(), k -> new TreeSet<>()).add(s.ingress());
      Map<Inet4Endpoint, ExportedService> into = services.computeIfAbsent(s.cluster(), k -> new TreeMap<>());
      for (ExportedService x : s.services()) {
        // Gateways of one cluster see one table; between two views they may differ a little.
        into.merge(x.address(), x, FederationGroup::union);
      }
    }
    Map<String, RemoteCluster> next = new TreeMap<>();
    gateways.forEach((name, ingress) -> next.put(name, new RemoteCluster(name, List.copyOf(ingress), List.copyOf(services.get(name).values()))));
    remote = java.util.Collections.unmodifiableMap(next);
    updateGatewayIps();
    try {
      onChange.accept(remote);
    } catch (RuntimeException e) {
      log.error("[federation] could not apply the other clusters' services", e);
    }
  }

  private static ExportedService union(ExportedService a, ExportedService b) {
    if (a.equals(b)) {
      return a;
    }
    List<Map.Entry<String, String>> pairs = new ArrayList<>(a.labels());
    b.labels().stream().filter(p -> !pairs.contains(p)).forEach(pairs::add);
    return new ExportedService(a.name().compareTo(b.name()) <= 0 ? a.name() : b.name(), a.address(), pairs);
  }

  /** At most one warning a second, so that a flooding gateway cannot flood the log too. */
  private void warn(String format, Object... args) {
    long now = System.nanoTime();
    if (now - lastWarning >= TimeUnit.SECONDS.toNanos(1)) {
      lastWarning = now;
      log.warn(format, args);
    }
  }

  @Override
  public void close() {
    channel.close();
    inbox.shutdownNow();
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }

  /** The federation could not be joined; the message is one line for the user. */
  public static final class FederationStartException extends RuntimeException {
    FederationStartException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
