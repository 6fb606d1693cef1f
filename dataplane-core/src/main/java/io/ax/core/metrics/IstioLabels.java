package io.ax.core.metrics;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.VService;
import io.ax.core.state.DataplaneState;
import java.util.List;
import java.util.Optional;

/**
 * Istio's standard labels for a connection ax made, as a client sidecar would report it
 * ({@code reporter="source"}), so that Istio's dashboards and Kiali read ax's TCP metrics. A pure
 * function of a snapshot and a connect's decision. Where ax has no source for a label, the value
 * is Istio's own for that case:
 *
 * <ul>
 *   <li>workload: the app's workload name ({@link ConnectLabels#workload}); app and version: its
 *       {@code app} and {@code version} labels ({@code unknown} without them; the app falls back
 *       to the workload name); namespace: its {@code namespace} label, else {@code default}
 *       (Kubernetes' default namespace: ax apps have none); canonical service and revision: the
 *       app and the version ({@code latest} without one), as Istio derives them; cluster: the
 *       app's ax cluster.
 *   <li>destination service: the vservice's first host name (the xDS agent gives each Istio
 *       Service's FQDN, {@code reviews.default.svc.cluster.local}), else its name; its name and
 *       namespace: the FQDN's first two labels, else the vservice's name and the workload's
 *       namespace. For the implicit service of an {@code --ip}, the serving app's workload name.
 *       Outside the mesh: {@code unknown} and {@code PassthroughCluster}, as Istio reports
 *       passthrough traffic.
 *   <li>destination workload: the app whose service table entry the connection went to; an
 *       external backend has none ({@code unknown}).
 *   <li>principals: {@code unknown} (ax has no workload certificates);
 *       {@code connection_security_policy}: {@code unknown}, which is what a source reporter
 *       says; {@code request_protocol}: {@code tcp}; {@code response_flags}: {@code -}.
 * </ul>
 *
 * Every value is a name the operator chose, so the label sets are bounded as {@link
 * ConnectLabels}' are.
 */
public final class IstioLabels {
  /** The label names, in the order of {@link #of}'s values. */
  public static final List<String> NAMES = List.of(
      "reporter",
      "source_workload", "source_workload_namespace", "source_principal", "source_app", "source_version",
      "source_canonical_service", "source_canonical_revision", "source_cluster",
      "destination_workload", "destination_workload_namespace", "destination_principal", "destination_app", "destination_version",
      "destination_service", "destination_service_name", "destination_service_namespace",
      "destination_canonical_service", "destination_canonical_revision", "destination_cluster",
      "request_protocol", "response_flags", "connection_security_policy");
  static final String UNKNOWN = ConnectLabels.UNKNOWN;
  private static final String DEFAULT_NAMESPACE = "default";
  private static final String PASSTHROUGH = "PassthroughCluster";

  private IstioLabels() {}

  /**
   * The values of {@link #NAMES} for a connection by {@code appId} that {@code decision} sent to
   * its {@code dialed}th target; empty for a connection that is no mesh traffic (the app's own
   * loopback) or was refused.
   */
  public static Optional<List<String>> of(DataplaneState s, String appId, ConnectDecision decision, int dialed) {
    App app = s.apps().get(new AppId(appId));
    Workload source = app == null ? Workload.NONE : Workload.of(app, app.cluster());
    return switch (decision) {
      case ConnectDecision.Refuse r -> Optional.empty();
      case ConnectDecision.Direct d -> Optional.of(values(source, Workload.NONE, UNKNOWN, PASSTHROUGH, UNKNOWN));
      case ConnectDecision.ViaGateway g -> Optional.of(values(source, Workload.NONE, UNKNOWN, PASSTHROUGH, UNKNOWN));
      case ConnectDecision.Targets t when t.via().startsWith("loopback of ") -> Optional.empty();
      case ConnectDecision.Targets t -> Optional.of(viaTargets(s, source, t, dialed));
    };
  }

  private static List<String> viaTargets(DataplaneState s, Workload source, ConnectDecision.Targets t, int dialed) {
    Inet4Endpoint target = t.targets().get(Math.max(1, Math.min(dialed, t.targets().size())) - 1);
    Workload destination = Workload.NONE;
    for (ServerEntry e : s.serversAtHost(target)) {
      App app = s.apps().get(e.appId());
      destination = app == null ? Workload.NONE : Workload.of(app, e.cluster());
      break;
    }
    int slash = t.via().indexOf('/');
    VService vs = s.vservices().get(slash < 0 ? t.via() : t.via().substring(0, slash));
    if (vs == null) {
      // The implicit service of an --ip: the apps that serve it are the service.
      return values(source, destination, destination.workload, destination.workload, destination.namespace);
    }
    if (!vs.hostnames().isEmpty()) {
      String fqdn = vs.hostnames().getFirst();
      String[] parts = fqdn.split("\\.", 3);
      String namespace = parts.length >= 2 ? parts[1] : destination.namespace;
      return values(source, destination, fqdn, parts[0], namespace);
    }
    return values(source, destination, vs.name(), vs.name(), destination.namespace);
  }

  private static List<String> values(Workload src, Workload dst, String service, String serviceName, String serviceNamespace) {
    return List.of(
        "source",
        src.workload, src.namespace, UNKNOWN, src.app, src.version, src.app, src.revision, src.cluster,
        dst.workload, dst.namespace, UNKNOWN, dst.app, dst.version,
        service, serviceName, serviceNamespace,
        dst.app, dst.revision, dst.cluster,
        "tcp", "-", UNKNOWN);
  }

  /** What Istio's labels say of one side. */
  private record Workload(String workload, String namespace, String app, String version, String revision, String cluster) {
    static final Workload NONE = new Workload(UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN);

    static Workload of(App app, String cluster) {
      Labels l = app.labels();
      String workload = ConnectLabels.workload(app);
      String version = label(l, "version").orElse(UNKNOWN);
      return new Workload(
          workload,
          label(l, "namespace").orElse(DEFAULT_NAMESPACE),
          label(l, "app").orElse(workload),
          version,
          label(l, "version").orElse("latest"),
          cluster);
    }

    private static Optional<String> label(Labels l, String key) {
      String v = l.entries().get(key);
      return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }
  }
}
