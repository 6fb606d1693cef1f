package io.ax.xds.pilot.apps;

import io.ax.admin.v1.EventType;
import io.ax.admin.v1.Label;
import io.ax.admin.v1.Protocol;
import io.ax.admin.v1.Server;
import io.ax.xds.pilot.config.Meta;
import io.ax.xds.pilot.config.Workload;
import io.ax.xds.pilot.config.WorkloadEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What ax's own apps are to Istio: pods. Each app that listens becomes one WorkloadEntry per
 * service address it listens on, so that a Service whose selector its labels match takes it as an
 * endpoint on the Service's {@code targetPort}, as Kubernetes makes endpoints of the pods a
 * Service selects. Istio's model, mapped:
 *
 * <ul>
 *   <li>the pod's labels are the app's {@code --labels};
 *   <li>the pod's namespace is the app's {@code namespace} label, else {@code default} (an ax app
 *       has no namespace of its own, and Kubernetes puts objects without one there);
 *   <li>the pod IP is the app's service address (its {@code --ip}, else the node's IP), which is
 *       what the daemon's vservice backends name;
 *   <li>the pod's locality is the app's {@code istio-locality} or {@code topology.*} labels;
 *   <li>readiness is listening: the entry only serves the TCP ports the app listens on (a Service
 *       whose targetPort the app does not listen on does not get it), so endpoints follow apps as
 *       they start, listen and exit, on every node of a cluster (the service table is the
 *       cluster's).
 * </ul>
 *
 * Pure: {@link AppsWatch} feeds it the daemon's service table entries.
 */
public final class AppWorkloads {
  /** The label whose value is an app's namespace. */
  public static final String NAMESPACE_LABEL = "namespace";
  public static final String DEFAULT_NAMESPACE = "default";
  /** Where the WorkloadEntries came from, as messages name it. */
  static final String SOURCE = "ax daemon (apps)";

  private AppWorkloads() {}

  /**
   * One WorkloadEntry per (app, service IP) among {@code servers}' TCP entries, named {@code
   * ax-APPNAME-APPID} (or {@code ax-APPID} for an app without a name; with {@code -IP} after it
   * when the app serves at more than one IP), in a stable order.
   */
  public static List<WorkloadEntry> of(Collection<Server> servers) {
    Map<String, Group> groups = new TreeMap<>();
    for (Server s : servers) {
      if (s.getProtocol() != Protocol.TCP || !s.hasServiceAddr() || s.getServiceAddr().getIp().isEmpty()) {
        continue;
      }
      String key = s.getAppId() + "/" + s.getServiceAddr().getIp();
      groups.computeIfAbsent(key, k -> new Group(s)).ports.add(s.getServiceAddr().getPort());
    }
    Map<String, Integer> groupsPerApp = new HashMap<>();
    groups.values().forEach(g -> groupsPerApp.merge(g.first.getAppId(), 1, Integer::sum));
    List<WorkloadEntry> out = new ArrayList<>(groups.size());
    for (Group g : groups.values()) {
      Map<String, String> labels = new LinkedHashMap<>();
      for (Label l : g.first.getLabelsList()) {
        labels.put(l.getKey(), l.getValue());
      }
      String namespace = labels.getOrDefault(NAMESPACE_LABEL, DEFAULT_NAMESPACE);
      // An app that serves at two addresses (its vIP and the node's) is two entries: name both apart.
      String name = groupsPerApp.get(g.first.getAppId()) > 1 ? name(g.first) + "-" + g.first.getServiceAddr().getIp() : name(g.first);
      Meta meta = new Meta("WorkloadEntry", name, namespace, SOURCE);
      out.add(new WorkloadEntry(meta, new Workload(g.first.getServiceAddr().getIp(), labels, Map.of(), 1, locality(labels), g.ports)));
    }
    return List.copyOf(out);
  }

  /**
   * The app's locality as {@code region/zone/subzone}, from the labels Istio reads for a pod:
   * {@code istio-locality} ({@code region.zone.subzone}, dots since a label value cannot hold a
   * slash), else Kubernetes' {@code topology.kubernetes.io/region} and {@code /zone} with
   * Istio's {@code topology.istio.io/subzone}; empty without them.
   */
  static String locality(Map<String, String> labels) {
    String istio = labels.get("istio-locality");
    if (istio != null && !istio.isEmpty()) {
      return istio.replace('.', '/');
    }
    String region = labels.getOrDefault("topology.kubernetes.io/region", "");
    String zone = labels.getOrDefault("topology.kubernetes.io/zone", "");
    String subzone = labels.getOrDefault("topology.istio.io/subzone", "");
    if (region.isEmpty()) {
      return "";
    }
    return zone.isEmpty() ? region : subzone.isEmpty() ? region + "/" + zone : region + "/" + zone + "/" + subzone;
  }

  private static String name(Server s) {
    String app = s.getName();
    // "<uuid>" is how the daemon shows an app started without --name.
    return app.isEmpty() || app.startsWith("<") ? "ax-" + s.getAppId() : "ax-" + app + "-" + s.getAppId();
  }

  private static final class Group {
    final Server first;
    final TreeSet<Integer> ports = new TreeSet<>();

    Group(Server first) {
      this.first = first;
    }
  }

  /** Whether an event changes the set of entries (everything but the end of the replay). */
  static boolean changes(EventType type) {
    return type == EventType.ADDED || type == EventType.MODIFIED || type == EventType.DELETED;
  }
}
