package io.ax.core.proxy;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.ExposedPort;
import io.ax.core.model.PortMapping;
import io.ax.core.model.VService;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which ports this node proxies for every-node exposure, read from one snapshot of the table (so
 * every node plans alike, from the replicated table):
 *
 * <ul>
 *   <li>{@code ax run --expose APPPORT:0.0.0.0:HOSTPORT} (or {@code APPPORT:THIS-NODE-IP:HOSTPORT})
 *       of an app on another node: HOSTPORT, to the app's socket on APPPORT (on its node it is
 *       bound to HOSTPORT for 0.0.0.0, to a pool port for another node's IP). On the app's node
 *       nothing is proxied: clients reach its socket with no copy at all.
 *   <li>An external vservice ({@code --external}, REST {@code extports}): each vport, to a backend
 *       its balancer picks for an outside client (see {@code ConnectDecider.decideOutside}).
 * </ul>
 *
 * A port that an app of this node exposes is left to that app; a port claimed twice goes to the
 * app exposures first, then to the vservices in name order, and the others are reported.
 */
public final class ExposurePlan {
  private ExposurePlan() {}

  /** What one proxied port serves. */
  public sealed interface Exposure {
    int port();

    /** The proxy's id in {@code ax get proxies}. */
    String id();
  }

  /** HOSTPORT of apps on other nodes that expose it here, with the app port each exposes. */
  public record AppExposure(int port, SortedMap<AppId, Integer> apps) implements Exposure {
    public AppExposure {
      apps = Collections.unmodifiableSortedMap(new TreeMap<>(apps));
    }

    @Override
    public String id() {
      return "expose-" + port;
    }
  }

  /** A vport of an external vservice. */
  public record VServiceExposure(int port, String vservice) implements Exposure {
    @Override
    public String id() {
      return "vservice-" + vservice + "-" + port;
    }
  }

  /** The plan, and the claims it could not honour (one line each, for the log). */
  public record Plan(SortedMap<Integer, Exposure> byPort, List<String> conflicts) {}

  /**
   * @param self this node's name
   * @param selfIp this node's IP, which {@code APPPORT:NODE-IP:HOSTPORT} names
   */
  public static Plan of(DataplaneState s, String self, Ipv4 selfIp) {
    Set<Integer> local = new HashSet<>();
    SortedMap<Integer, SortedMap<AppId, Integer>> appPorts = new TreeMap<>();
    for (App a : s.apps().values()) {
      for (ExposedPort x : a.exposures()) {
        if (a.nodeId().equals(self)) {
          if (x.nodeIp().isEmpty() || x.on(selfIp)) {
            local.add(x.hostPort()); // the app's own socket is bound there
          }
        } else if (x.on(selfIp)) {
          appPorts.computeIfAbsent(x.hostPort(), p -> new TreeMap<>()).put(a.id(), x.appPort());
        }
      }
    }
    SortedMap<Integer, Exposure> byPort = new TreeMap<>();
    List<String> conflicts = new ArrayList<>();
    appPorts.forEach((port, apps) -> {
      if (!local.contains(port)) {
        byPort.put(port, new AppExposure(port, apps));
      }
    });
    for (Map.Entry<String, VService> e : s.vservices().entrySet()) {
      VService vs = e.getValue();
      if (vs.exposure() != VService.Exposure.EXTERNAL) {
        continue;
      }
      for (PortMapping p : vs.ports()) {
        int port = p.vport();
        if (local.contains(port) || byPort.containsKey(port)) {
          Exposure other = byPort.get(port);
          conflicts.add("port " + port + " of external vservice " + vs.name() + " is taken by "
              + (other == null ? "an app of this node that exposes it" : other instanceof VServiceExposure v ? "external vservice " + v.vservice() : "apps exposed on every node"));
          continue;
        }
        byPort.put(port, new VServiceExposure(port, vs.name()));
      }
    }
    return new Plan(byPort, conflicts);
  }

  /** The TCP servers where an app exposure's clients go: each app's socket on its app port. */
  static List<Inet4Endpoint> appTargets(DataplaneState s, AppExposure x) {
    List<Inet4Endpoint> out = new ArrayList<>();
    s.servers().values().forEach(e -> {
      Integer appPort = x.apps().get(e.appId());
      if (e.protocol() == Transport.TCP && appPort != null && e.serviceAddr().port() == appPort) {
        App app = s.apps().get(e.appId());
        if (app != null && app.nodeId().equals(e.nodeId())) {
          out.add(e.hostAddr());
        }
      }
    });
    return out;
  }
}
