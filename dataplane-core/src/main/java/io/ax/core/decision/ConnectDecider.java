package io.ax.core.decision;

import io.ax.core.lb.LbPolicy;
import io.ax.core.lb.LbState;
import io.ax.core.lb.PickContext;
import io.ax.core.model.App;
import io.ax.core.model.Backend;
import io.ax.core.model.PortMapping;
import io.ax.core.model.Protocol;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.VService;
import io.ax.core.net.HostPort;
import io.ax.core.state.DataplaneState;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The connect decision: a pure function of a snapshot, the client app and the destination (the
 * balancers' memory is passed in). The rules, in order:
 *
 * <ol>
 *   <li>The destination is a vservice's vIP:vport: its backends, each naming service table
 *       entries at backend-ip:app-port or, when none is there, that external address; entries
 *       the client shares no label with are left out. Ordered by the vservice's policy.
 *   <li>The destination is the service address of service table entries (apps started with
 *       {@code --ip X} form the implicit vservice of X): those the client shares a label with,
 *       in round-robin order.
 *   <li>The destination is the real host address of service table entries (an app that found
 *       a backend's pool port): the label ACL still applies, so the real address is no way
 *       around it.
 *   <li>Anything else is outside the mesh: {@link Decision#DIRECT}.
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

  /** A TCP connect: see {@link #decide(DataplaneState, App, Protocol, HostPort, LbState)}. */
  public static Decision decide(DataplaneState state, App client, HostPort destination, LbState lb) {
    return decide(state, client, Protocol.TCP, destination, lb);
  }

  public static Decision decide(DataplaneState state, App client, Protocol protocol, HostPort destination, LbState lb) {
    Optional<VService> vservice = state.vserviceAt(destination);
    if (vservice.isPresent()) {
      return viaVService(state, client, protocol, destination, vservice.get(), lb);
    }
    List<ServerEntry> entries = state.serversAt(destination);
    if (!entries.isEmpty()) {
      List<Target> allowed = new ArrayList<>(entries.size());
      boolean any = false;
      for (ServerEntry e : entries) {
        if (e.protocol() != protocol) {
          continue;
        }
        any = true;
        if (client.labels().sharesAnyWith(e.labels())) {
          allowed.add(Target.server(e.hostAddr(), e.id()));
        }
      }
      if (any) {
        if (allowed.isEmpty()) {
          return deniedByLabels(client, destination.toString());
        }
        String key = destination.toString();
        return new Decision.Connect(key, IMPLICIT_POLICY.order(allowed, new PickContext(key, lb)));
      }
    }
    for (ServerEntry e : state.serversAtHost(destination)) {
      if (e.protocol() == protocol && !client.labels().sharesAnyWith(e.labels())) {
        return deniedByLabels(client, "the real address of " + e.serviceAddr());
      }
    }
    return Decision.DIRECT;
  }

  private static Decision viaVService(DataplaneState state, App client, Protocol protocol, HostPort destination, VService vs, LbState lb) {
    // The index only holds vIP:vport pairs that a mapping serves.
    PortMapping mapping = vs.mappingFor(destination.port()).orElseThrow();
    // Two backends may name the same address (10.0.0.7 and 10.0.0.7:8080 under 80:8080);
    // each target counts once, or it would be picked twice as often.
    Set<Target> candidates = new LinkedHashSet<>();
    boolean deniedAny = false;
    for (Backend b : vs.backends()) {
      HostPort at = new HostPort(b.ip(), b.port().orElse(mapping.appPort()));
      List<ServerEntry> all = state.serversAt(at);
      if (all.isEmpty()) {
        candidates.add(Target.external(at));
        continue;
      }
      // Entries there, but of the other protocol: this backend has nothing for this socket.
      List<ServerEntry> entries = all.stream().filter(e -> e.protocol() == protocol).toList();
      for (ServerEntry e : entries) {
        if (client.labels().sharesAnyWith(e.labels())) {
          candidates.add(Target.server(e.hostAddr(), e.id()));
        } else {
          deniedAny = true;
        }
      }
    }
    if (candidates.isEmpty()) {
      return deniedAny
          ? deniedByLabels(client, "vservice " + vs.name())
          : new Decision.Deny(Errno.ECONNREFUSED, "vservice " + vs.name() + " has no backends");
    }
    return new Decision.Connect(vs.name(), vs.policy().order(List.copyOf(candidates), new PickContext(vs.name(), lb)));
  }

  private static Decision deniedByLabels(App client, String what) {
    return new Decision.Deny(
        Errno.ECONNREFUSED, "app " + client.id() + " (labels '" + client.labels() + "') shares no label with " + what);
  }
}
