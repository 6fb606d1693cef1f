package io.ax.cli;

import io.ax.admin.VServiceCells;
import io.ax.admin.v1.App;
import io.ax.admin.v1.Endpoint;
import io.ax.admin.v1.Label;
import io.ax.admin.v1.Node;
import io.ax.admin.v1.Protocol;
import io.ax.admin.v1.Proxy;
import io.ax.admin.v1.Server;
import io.ax.admin.v1.Socket;
import io.ax.admin.v1.VService;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The tables of {@code ax get}: AppSwitch's columns (see the README), plus extra columns for
 * {@code -o wide}. Cells are formatted as AppSwitch showed them ({@code [{8000 10000}]},
 * {@code [zone==default]}).
 */
final class Views {
  private Views() {}

  /** Which columns a table has: AppSwitch's, or those and the extra ones of {@code -o wide}. */
  enum Columns {
    NORMAL,
    WIDE;

    /** The columns of an {@code -o} format; the table formats only, so anything but wide is NORMAL. */
    static Columns of(Output format) {
      return format == Output.WIDE ? WIDE : NORMAL;
    }
  }

  static Table apps(List<App> apps, Columns columns) {
    boolean wide = columns == Columns.WIDE;
    List<String> header = new ArrayList<>(List.of("NAME", "APPID", "NODEID", "CLUSTER", "APPIP", "DRIVER", "LABELS", "ZONES"));
    if (wide) {
      header.add("PID");
    }
    Table t = new Table(header);
    for (App a : apps) {
      List<String> row = new ArrayList<>(List.of(
          a.getName(), a.getAppId(), a.getNodeId(), a.getCluster(), a.getAppIp(), a.getDriver(), labels(a.getLabelsList()), zones(a.getLabelsList())));
      if (wide) {
        row.add(Long.toString(a.getPid()));
      }
      t.row(row);
    }
    return t;
  }

  static Table servers(List<Server> servers, Columns columns) {
    boolean wide = columns == Columns.WIDE;
    List<String> header = new ArrayList<>(List.of("NODEID", "CLUSTER", "APPID", "PROTO", "SERVICEADDR", "IPV4ADDR"));
    if (wide) {
      header.addAll(List.of("NAME", "LABELS"));
    }
    Table t = new Table(header);
    for (Server s : servers) {
      List<String> row = new ArrayList<>(List.of(
          s.getNodeId(), s.getCluster(), s.getAppId(), proto(s.getProtocol()), endpoint(s.getServiceAddr()), endpoint(s.getHostAddr())));
      if (wide) {
        row.addAll(List.of(s.getName(), labels(s.getLabelsList())));
      }
      t.row(row);
    }
    return t;
  }

  static Table sockets(List<Socket> sockets) {
    Table t = new Table(List.of("ID", "NODEID", "APPID", "INODE", "PROTO", "FLAGS", "BINDIP", "BACKLOG"));
    for (Socket s : sockets) {
      t.row(List.of(
          s.getId(), s.getNodeId(), s.getAppId(), Long.toUnsignedString(s.getInode()), proto(s.getProtocol()),
          Integer.toUnsignedString(s.getFlags()), endpoint(s.getBind()), Integer.toUnsignedString(s.getBacklog())));
    }
    return t;
  }

  static Table proxies(List<Proxy> proxies) {
    Table t = new Table(List.of("ID", "PROTO", "LISTENER", "DIALERS"));
    for (Proxy p : proxies) {
      t.row(List.of(p.getId(), proto(p.getProtocol()), endpoint(p.getListener()),
          p.getDialersList().stream().map(Views::endpoint).collect(Collectors.joining(" ", "[", "]"))));
    }
    return t;
  }

  static Table vservices(List<VService> vservices, Columns columns) {
    boolean wide = columns == Columns.WIDE;
    List<String> header = new ArrayList<>(List.of("VSNAME", "VSTYPE", "VSIP", "VSPORTS", "VSBACKENDIPS"));
    if (wide) {
      header.addAll(List.of("EXTERNAL", "SOURCEIP", "OWNER", "HOSTNAMES", "RESILIENCE"));
    }
    Table t = new Table(header);
    for (VService v : vservices) {
      List<String> row = new ArrayList<>(List.of(v.getName(), VServiceCells.lbType(v.getLbType()), v.getIp(), VServiceCells.ports(v.getPortsList()), VServiceCells.backendsCell(v)));
      if (wide) {
        row.addAll(List.of(Boolean.toString(v.getExternal()), v.getSourceIp(), v.getOwner().isEmpty() ? "-" : v.getOwner(),
            "[" + String.join(" ", v.getHostnamesList()) + "]", resilience(v)));
      }
      t.row(row);
    }
    return t;
  }

  /**
   * The vservice's connect timeout, connection limit and outlier detection, then each subset's
   * own: {@code timeout=300ms max=2 eject=3x/30s/10%}, {@code v1:max=7}; {@code -} for none.
   */
  static String resilience(VService v) {
    List<String> parts = new ArrayList<>();
    if (v.hasResilience()) {
      parts.add(resilience(v.getResilience()));
    }
    for (io.ax.admin.v1.Subset s : v.getSubsetsList()) {
      if (s.hasResilience()) {
        parts.add(s.getName() + ":" + resilience(s.getResilience()).replace(' ', ','));
      }
    }
    parts.removeIf(String::isEmpty);
    return parts.isEmpty() ? "-" : String.join(" ", parts);
  }

  private static String resilience(io.ax.admin.v1.Resilience r) {
    List<String> parts = new ArrayList<>();
    if (r.getConnectTimeoutMs() != 0) {
      parts.add("timeout=" + Integer.toUnsignedString(r.getConnectTimeoutMs()) + "ms");
    }
    if (r.getMaxConnections() != 0) {
      parts.add("max=" + Integer.toUnsignedString(r.getMaxConnections()));
    }
    io.ax.admin.v1.OutlierDetection o = r.getOutlierDetection();
    if (o.getConsecutiveFailures() != 0) {
      // The wire's zeros are the daemon's defaults: 30 s, 10%.
      parts.add("eject=" + Integer.toUnsignedString(o.getConsecutiveFailures()) + "x/"
          + (o.getBaseEjectionMs() == 0 ? "30000" : Integer.toUnsignedString(o.getBaseEjectionMs())) + "ms/"
          + (o.getMaxEjectionPercent() == 0 ? "10" : Integer.toUnsignedString(o.getMaxEjectionPercent())) + "%");
    }
    switch (r.getLocalityLb().getMode()) {
      case LOCALITY_FAILOVER -> parts.add("locality=failover" + r.getLocalityLb().getFailoverList().stream()
          .map(f -> f.getFrom() + ">" + f.getTo()).collect(Collectors.joining(",", r.getLocalityLb().getFailoverCount() == 0 ? "" : "(", r.getLocalityLb().getFailoverCount() == 0 ? "" : ")")));
      case LOCALITY_DISTRIBUTE -> parts.add("locality=distribute");
      default -> {}
    }
    return String.join(" ", parts);
  }

  static Table nodes(List<Node> nodes) {
    // AppSwitch's columns, then STATUS: a node that left stays listed as Dead, its entries gone.
    Table t = new Table(List.of("NAME", "CLUSTER", "IP", "EXTERNALIP", "ROLE", "APPCOUNT", "STATUS"));
    for (Node n : nodes) {
      t.row(List.of(
          n.getName(), n.getCluster(), n.getIp(), n.getExternalIp(), "[" + String.join(" ", n.getRolesList()) + "]", Integer.toUnsignedString(n.getAppCount()),
          n.getStatus() == io.ax.admin.v1.NodeStatus.NODE_DEAD ? "Dead" : "Alive"));
    }
    return t;
  }

  private static String labels(List<Label> labels) {
    return labels.stream().map(l -> l.getKey() + "=" + l.getValue()).collect(Collectors.joining(","));
  }

  private static String zones(List<Label> labels) {
    return labels.stream().map(l -> l.getKey() + "==" + l.getValue()).collect(Collectors.joining(" ", "[", "]"));
  }

  private static String endpoint(Endpoint e) {
    return e.getIp() + ":" + e.getPort();
  }

  private static String proto(Protocol p) {
    return p == Protocol.PROTOCOL_UNSPECIFIED ? "-" : p.name().toLowerCase(Locale.ROOT);
  }
}
