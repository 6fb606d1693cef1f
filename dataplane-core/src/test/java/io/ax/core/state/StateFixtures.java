package io.ax.core.state;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Backend;
import io.ax.core.model.Labels;
import io.ax.core.model.PortMapping;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.model.Subset;
import io.ax.core.model.VService;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Builders of model values for tests, with the dull fields filled in. Public for the decision tests. */
public final class StateFixtures {
  public static final String NODE = "node-1";
  public static final String CLUSTER = "local";

  private StateFixtures() {}

  public static Ipv4 ip(String text) {
    return Ipv4.parse("ip", text);
  }

  public static App app(String id, String appIp, String labels) {
    return new App(new AppId(id), "app-" + id, NODE, CLUSTER, ip(appIp), "user", Labels.parse("labels", labels), 1000);
  }

  /** A service table entry: the app listens on {@code serviceAddr}, really bound at {@code hostAddr}. */
  public static ServerEntry server(String id, String appId, String serviceAddr, String hostAddr, String labels) {
    return new ServerEntry(
        id,
        new AppId(appId),
        "srv-" + id,
        Transport.TCP,
        Endpoints.parse("service", serviceAddr),
        Endpoints.parse("host", hostAddr),
        Labels.parse("labels", labels),
        NODE,
        CLUSTER);
  }

  public static SocketEntry socket(String id, String appId, long inode) {
    return new SocketEntry(id, NODE, new AppId(appId), inode, Transport.TCP, 0, Endpoints.of("0.0.0.0", 0), 0);
  }

  /**
   * A vservice. {@code ports} are {@code vport:appport} items, {@code backends} {@code ip} or
   * {@code ip:port} items.
   */
  public static VService vservice(String name, String vip, LbPolicy policy, List<String> ports, String... backends) {
    return new VService(
        name,
        ip(vip),
        ports.stream().map(p -> PortMapping.parse("ports", p)).toList(),
        Arrays.stream(backends).map(b -> Backend.parse("backends", b)).toList(),
        policy,
        VService.Exposure.INTERNAL,
        Optional.empty());
  }

  /**
   * A vservice split over subsets, each {@code name:weight:policy:ip,ip...} (backends may be
   * {@code ip:port}, written {@code ip/port} here).
   */
  public static VService split(String name, String vip, LbPolicy policy, List<String> ports, String... subsets) {
    List<Subset> list = Arrays.stream(subsets).map(text -> {
      String[] f = text.split(":", 4);
      List<Backend> backends = f.length < 4 || f[3].isEmpty()
          ? List.of()
          : Arrays.stream(f[3].split(",")).map(b -> Backend.parse("backends", b.replace('/', ':'))).toList();
      return new Subset(f[0], Integer.parseInt(f[1]), LbPolicy.parse("lb", f[2]), backends);
    }).toList();
    return new VService(
        name, ip(vip), ports.stream().map(p -> PortMapping.parse("ports", p)).toList(), List.of(), policy, VService.Exposure.INTERNAL,
        Optional.empty(), list, List.of(), "");
  }

  public static VService vservice(String name, String vip, String port, String... backends) {
    return vservice(name, vip, LbPolicy.RANDOM, List.of(port), backends);
  }
}
