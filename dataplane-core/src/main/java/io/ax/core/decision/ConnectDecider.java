package io.ax.core.decision;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.lb.Candidate;
import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.LbState;
import io.ax.core.lb.Outliers;
import io.ax.core.lb.PickContext;
import io.ax.core.model.App;
import io.ax.core.model.Backend;
import io.ax.core.model.Labels;
import io.ax.core.model.Locality;
import io.ax.core.model.LocalityLb;
import io.ax.core.model.PortMapping;
import io.ax.core.model.Resilience;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.Subset;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The connect decision: a pure function of a snapshot, the client app and the destination (the
 * balancers' memory is passed in). The rules, in order:
 *
 * <ol>
 *   <li>The destination is a vservice's vIP:vport: its backends, each naming service table
 *       entries at backend-ip:app-port or, when none is there, that external address; entries
 *       the client shares no label with are left out. Ordered by the vservice's policy. A
 *       vservice with subsets first picks a subset by smooth weighted round robin over their
 *       weights, then orders that subset's backends by the subset's policy; the rest of the
 *       split is not tried. The vservice's (or subset's) {@link Resilience} applies: at its
 *       connection limit the connect is refused, ejected backends come last, and the bridge
 *       gets its connect timeout.
 *   <li>The destination is the service address of service table entries (apps started with
 *       {@code --ip X} form the implicit vservice of X): those the client shares a label with,
 *       in round-robin order.
 *   <li>The destination is the real host address of service table entries (an app that found
 *       a backend's pool port): the label ACL still applies, so the real address is no way
 *       around it.
 *   <li>Anything else is outside the mesh: {@link ConnectDecision#DIRECT}.
 * </ol>
 *
 * Only entries of the connecting socket's protocol count: a UDP entry does not answer TCP.
 *
 * A destination in the mesh whose every backend is closed to the client by the label ACL, or
 * that has no backend, is refused with ECONNREFUSED, as a host with no listener would.
 */
public final class ConnectDecider {
  /** The implicit vservice of an {@code --ip}: spreads evenly and predictably. */
  static final LbPolicy IMPLICIT_POLICY = LbPolicy.ROUND_ROBIN;

  private ConnectDecider() {}

  /** A TCP connect: see {@link #decide(DataplaneState, App, Transport, Inet4Endpoint, LbState)}. */
  public static ConnectDecision decide(DataplaneState state, App client, Inet4Endpoint destination, LbState lb) {
    return decide(state, client, Transport.TCP, destination, lb);
  }

  public static ConnectDecision decide(DataplaneState state, App client, Transport protocol, Inet4Endpoint destination, LbState lb) {
    return decide(state, client, protocol, destination, lb, Locality.NONE);
  }

  /**
   * @param node this node's locality, which vservices with a {@link LocalityLb} setting prefer
   *     backends by
   */
  public static ConnectDecision decide(DataplaneState state, App client, Transport protocol, Inet4Endpoint destination, LbState lb, Locality node) {
    Optional<VService> vservice = state.vserviceAt(destination);
    if (vservice.isPresent()) {
      return viaVService(state, new AppClient(client), protocol, destination, vservice.get(), lb, node);
    }
    List<ServerEntry> entries = state.serversAt(destination);
    if (!entries.isEmpty()) {
      List<Candidate<Inet4Endpoint>> candidates = new ArrayList<>(entries.size());
      boolean any = false;
      for (ServerEntry e : entries) {
        if (e.protocol() != protocol) {
          continue;
        }
        any = true;
        if (client.labels().sharesAnyWith(e.labels())) {
          candidates.add(new Candidate<>(e.hostAddr(), e.hostAddr(), 1));
        }
      }
      if (any) {
        if (candidates.isEmpty()) {
          return deniedByLabels(client, destination.toString());
        }
        String key = destination.toString();
        return new ConnectDecision.Targets(key, IMPLICIT_POLICY.order(candidates, new PickContext(key, lb, client.appIp())));
      }
    }
    for (ServerEntry e : state.serversAtHost(destination)) {
      if (e.protocol() == protocol && !client.labels().sharesAnyWith(e.labels())) {
        return deniedByLabels(client, "the real address of " + e.serviceAddr());
      }
    }
    return ConnectDecision.DIRECT;
  }

  /**
   * A connection from outside the mesh to a vservice's vport, which the daemon's proxy accepted
   * on an external vservice's every-node listener: rule 1 with every backend admitted. Outside
   * clients have no labels, and exposing the vservice is the operator's own decision to let them
   * in (as a Kubernetes NodePort does); the label ACL guards what runs in the mesh.
   *
   * @param clientIp the outside client's address, for balancers that hash the source
   */
  public static ConnectDecision decideOutside(DataplaneState state, VService vs, Transport protocol, int vport, Ipv4 clientIp, LbState lb) {
    if (vs.mappingFor(vport).isEmpty()) {
      return new ConnectDecision.Refuse(Errno.ECONNREFUSED, "vservice " + vs.name() + " has no port " + vport, ConnectDecision.Refuse.Cause.NO_BACKEND);
    }
    return viaVService(state, new OutsideClient(clientIp), protocol, Endpoints.of(vs.ip(), vport), vs, lb, Locality.NONE);
  }

  /** Who connects: whose labels the ACL admits, the address balancers hash, and how a refusal names it. */
  private sealed interface Client {
    boolean admits(Labels server);

    Ipv4 ip();

    String description();
  }

  private record AppClient(App app) implements Client {
    @Override
    public boolean admits(Labels server) {
      return app.labels().sharesAnyWith(server);
    }

    @Override
    public Ipv4 ip() {
      return app.appIp();
    }

    @Override
    public String description() {
      return "app " + app.id() + " (labels '" + app.labels() + "')";
    }
  }

  private record OutsideClient(Ipv4 ip) implements Client {
    @Override
    public boolean admits(Labels server) {
      return true;
    }

    @Override
    public String description() {
      return "an outside client";
    }
  }

  private static ConnectDecision viaVService(
      DataplaneState state, Client client, Transport protocol, Inet4Endpoint destination, VService vs, LbState lb, Locality node) {
    // The index only holds vIP:vport pairs that a mapping serves.
    PortMapping mapping = vs.mappingFor(destination.port()).orElseThrow();
    String key = vs.name();
    String what = "vservice " + vs.name();
    List<Backend> backends = vs.backends();
    LbPolicy policy = vs.policy();
    Resilience resilience = vs.resilience();
    if (!vs.subsets().isEmpty()) {
      // The split is made before the label ACL and the backends are looked at, so the shares
      // hold whatever the client may reach; failover stays within the chosen subset.
      Subset subset = chooseSubset(vs, lb);
      key = vs.name() + "/" + subset.name();
      what = "subset " + subset.name() + " of vservice " + vs.name();
      backends = subset.backends();
      policy = subset.policy();
      resilience = subset.resilience();
    }
    // Two backends may name the same address (10.0.0.7 and 10.0.0.7:8080 under 80:8080);
    // each target counts once (with its first weight), or it would be picked twice as often.
    // A target is a service table entry or an external address, as before the bridge's
    // endpoint carried it: two entries at one real address stay two candidates.
    Map<Pick, Integer> candidates = new LinkedHashMap<>();
    Map<Inet4Endpoint, Locality> localities = new java.util.HashMap<>();
    boolean deniedAny = false;
    for (Backend b : backends) {
      Inet4Endpoint at = Endpoints.of(b.ip(), b.port().orElse(mapping.appPort()));
      List<ServerEntry> all = state.serversAt(at);
      if (all.isEmpty()) {
        candidates.putIfAbsent(new Pick(at, ""), b.weight());
        localities.putIfAbsent(at, b.locality());
        continue;
      }
      // Entries there, but of the other protocol: this backend has nothing for this socket.
      for (ServerEntry e : all) {
        if (e.protocol() != protocol) {
          continue;
        }
        if (client.admits(e.labels())) {
          candidates.putIfAbsent(new Pick(e.hostAddr(), e.id()), b.weight());
          localities.putIfAbsent(e.hostAddr(), b.locality());
        } else {
          deniedAny = true;
        }
      }
    }
    if (candidates.isEmpty()) {
      return deniedAny
          ? deniedByLabels(client.description(), what)
          : new ConnectDecision.Refuse(Errno.ECONNREFUSED, what + " has no backends", ConnectDecision.Refuse.Cause.NO_BACKEND);
    }
    List<Candidate<Inet4Endpoint>> list = new ArrayList<>(candidates.size());
    candidates.forEach((p, w) -> list.add(new Candidate<>(p.address(), p.address(), w)));
    if (protocol == Transport.TCP && resilience.maxConnections().isPresent()) {
      // Envoy's circuit breaker counts one proxy's connections to the cluster; here one node's
      // (every app's) TCP connections to these backends, read from the kernel at this connect.
      // A datagram socket's connect makes no connection and is never refused for it.
      int max = resilience.maxConnections().getAsInt();
      int open = lb.connections().openNow(candidates.keySet().stream().map(Pick::address).distinct().toList());
      if (open >= max) {
        return new ConnectDecision.Refuse(
            Errno.ECONNREFUSED, what + " has " + open + " open connections from this node, its limit is " + max, ConnectDecision.Refuse.Cause.OVERFLOW);
      }
    }
    List<Inet4Endpoint> order = new ArrayList<>(list.size());
    for (LocalityOrder.Group g : LocalityOrder.groups(list, localities, node, resilience.localityLb(), lb, key)) {
      order.addAll(policy.order(g.candidates(), new PickContext(g.name().isEmpty() ? key : key + "#" + g.name(), lb, client.ip())));
    }
    if (resilience.outlierDetection().isPresent()) {
      order = ejectedLast(order, key, lb.outliers());
    }
    return new ConnectDecision.Targets(key, order, resilience.connectTimeout());
  }

  /**
   * The order with ejected backends moved to its end, in their own order: they are dialed only
   * when every other backend failed, where Envoy leaves them out (and, below its panic
   * threshold, uses them all again). A connect then never fails for an ejection alone.
   */
  static List<Inet4Endpoint> ejectedLast(List<Inet4Endpoint> order, String key, Outliers outliers) {
    List<Inet4Endpoint> in = new ArrayList<>(order.size());
    List<Inet4Endpoint> out = new ArrayList<>();
    for (Inet4Endpoint t : order) {
      (outliers.ejected(key, t) ? out : in).add(t);
    }
    if (out.isEmpty()) {
      return order;
    }
    in.addAll(out);
    return in;
  }

  /**
   * What a key of {@link ConnectDecision.Targets#via} ({@code name} or {@code name/subset})
   * balances over in {@code state}: its resilience and how many backends it has. Empty for keys
   * that are no vservice (implicit services, loopbacks) or no longer exist.
   */
  public static Optional<Balanced> balanced(DataplaneState state, String via) {
    int slash = via.indexOf('/');
    VService vs = state.vservices().get(slash < 0 ? via : via.substring(0, slash));
    if (vs == null) {
      return Optional.empty();
    }
    if (slash < 0) {
      return vs.subsets().isEmpty() ? Optional.of(new Balanced(vs.resilience(), vs.backends().size())) : Optional.empty();
    }
    String name = via.substring(slash + 1);
    return vs.subsets().stream().filter(s -> s.name().equals(name)).findFirst().map(s -> new Balanced(s.resilience(), s.backends().size()));
  }

  /** What a vservice or subset asks of connects, and how many backends it has. */
  public record Balanced(Resilience resilience, int backends) {}

  /** A backend's target: a service table entry's real address and id, or an external address ({@code serverId} empty). */
  private record Pick(Inet4Endpoint address, String serverId) {}

  /** Smooth weighted round robin over the subsets' weights: exact shares over every W picks. */
  private static Subset chooseSubset(VService vs, LbState lb) {
    List<Subset> subsets = vs.subsets();
    if (subsets.size() == 1) {
      return subsets.getFirst();
    }
    int[] weights = subsets.stream().mapToInt(Subset::weight).toArray();
    return subsets.get(lb.smoothWeighted(vs.name()).next(subsets.stream().map(Subset::name).toList(), weights));
  }

  private static ConnectDecision deniedByLabels(App client, String what) {
    return deniedByLabels(new AppClient(client).description(), what);
  }

  private static ConnectDecision deniedByLabels(String client, String what) {
    return new ConnectDecision.Refuse(Errno.ECONNREFUSED, client + " shares no label with " + what, ConnectDecision.Refuse.Cause.ACCESS);
  }
}
