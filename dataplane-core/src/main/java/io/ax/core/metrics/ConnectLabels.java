package io.ax.core.metrics;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.VService;
import io.ax.core.state.DataplaneState;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How a connect is labelled in metrics and the decision log: a pure function of a snapshot, the
 * app, the destination, the decision and how it ended. Every label value comes from names an
 * operator chose ({@code --name}, an app's {@code app} label, vservice names, the addresses of
 * external backends in vservices), never from an address an app picked or a generated id, so the
 * number of distinct values is bounded by the mesh's configuration, not by its traffic:
 *
 * <ul>
 *   <li>{@code source_app}: the app's workload name ({@link #workload}).
 *   <li>{@code destination}: the vservice's name; for the implicit service of apps started with
 *       {@code --ip}, the workload name of the app serving it; {@code outside} for a destination
 *       outside the mesh; {@code loopback} for the app's own loopback; {@code unknown} for a
 *       refused destination that nothing in the mesh names.
 *   <li>{@code backend}: the workload name of the app whose service table entry was dialed
 *       last, or the address of an external backend (as written in its vservice); {@code none}
 *       when nothing was dialed, {@code outside} or {@code egress_gateway} outside the mesh.
 * </ul>
 */
public final class ConnectLabels {
  /** What Istio writes for a label it has no value for. */
  public static final String UNKNOWN = "unknown";
  public static final String OUTSIDE = "outside";
  public static final String LOOPBACK = "loopback";
  public static final String NONE = "none";
  public static final String EGRESS_GATEWAY = "egress_gateway";

  private ConnectLabels() {}

  /** The three names of a connect; the outcome is apart, see {@link Outcome#of}. */
  public record Names(String sourceApp, String destination, String backend) {
    public Names {
      Objects.requireNonNull(sourceApp, "sourceApp");
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(backend, "backend");
    }
  }

  /** How a connect ended, as {@code ax_connections_opened_total{outcome}} counts it. Append-only. */
  public enum Outcome {
    /** The first target accepted (or a direct connect succeeded). */
    CONNECTED,
    /** A target refused and a later one accepted, before the app heard anything. */
    FAILED_OVER,
    /** A non-blocking connect still in progress when the app got EINPROGRESS. */
    IN_PROGRESS,
    /** The label ACL: the app shares no label with any backend. */
    REFUSED_BY_ACL,
    /** Nothing in the mesh serves the destination. */
    NO_BACKEND,
    /** Every target dialed failed (refused, unreachable, timed out). */
    REFUSED_BY_BACKEND,
    /** Refused by the decision for another reason (an unregistered app). */
    REFUSED_OTHER,
    /** Outside the mesh, refused by the outbound policy REGISTRY_ONLY (Istio's BlackHoleCluster). */
    REFUSED_OUTSIDE,
    /** Refused at the vservice's connection limit on this node (Istio's maxConnections, Envoy's circuit breaker). */
    REFUSED_OVERFLOW;

    /** {@code failed_over}, as labels show it. */
    public String display() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The outcome of a connect that the bridge reported.
     *
     * @param dialed how many targets were dialed
     * @param errno 0 when connected
     */
    public static Outcome of(ConnectDecision decision, int dialed, int errno) {
      if (decision instanceof ConnectDecision.Refuse refuse) {
        return switch (refuse.cause()) {
          case ACCESS -> REFUSED_BY_ACL;
          case NO_BACKEND -> NO_BACKEND;
          case OTHER -> REFUSED_OTHER;
          case OUTSIDE -> REFUSED_OUTSIDE;
          case OVERFLOW -> REFUSED_OVERFLOW;
        };
      }
      if (errno == 0) {
        return dialed > 1 ? FAILED_OVER : CONNECTED;
      }
      return errno == Errno.EINPROGRESS ? IN_PROGRESS : REFUSED_BY_BACKEND;
    }
  }

  /** The names of a connect by {@code appId} to {@code destination} that {@code decision} decided. */
  public static Names of(DataplaneState s, String appId, Inet4Endpoint destination, ConnectDecision decision, int dialed) {
    App app = s.apps().get(new AppId(appId));
    String source = app == null ? UNKNOWN : workload(app);
    return switch (decision) {
      case ConnectDecision.Direct d -> new Names(source, OUTSIDE, OUTSIDE);
      case ConnectDecision.ViaGateway g -> new Names(source, OUTSIDE, EGRESS_GATEWAY);
      case ConnectDecision.Refuse r when r.cause() == ConnectDecision.Refuse.Cause.OUTSIDE -> new Names(source, OUTSIDE, NONE);
      case ConnectDecision.Refuse r -> new Names(source, meshName(s, destination).orElse(UNKNOWN), NONE);
      case ConnectDecision.Targets t -> new Names(source, destinationOf(s, destination, t), dialed == 0 ? NONE : backendOf(s, t.targets().get(Math.min(dialed, t.targets().size()) - 1)));
    };
  }

  /**
   * An app's workload name, Istio's {@code source_workload}: its {@code --name}; for an app
   * started without one (shown as {@code <uuid>}), the value of its {@code app} label, else
   * {@code unknown}. Never the generated id: each run would make a new series.
   */
  public static String workload(App app) {
    if (!app.name().startsWith("<")) {
      return app.name();
    }
    String label = app.labels().entries().get("app");
    return label == null || label.isEmpty() ? UNKNOWN : label;
  }

  private static String destinationOf(DataplaneState s, Inet4Endpoint destination, ConnectDecision.Targets t) {
    if (t.via().startsWith("loopback of ")) {
      return LOOPBACK;
    }
    int slash = t.via().indexOf('/');
    String vservice = slash < 0 ? t.via() : t.via().substring(0, slash);
    if (s.vservices().containsKey(vservice)) {
      return vservice;
    }
    return meshName(s, destination).orElse(UNKNOWN);
  }

  /** The name the mesh knows {@code at} by: a vservice, or the app serving it (by service or real address). */
  private static Optional<String> meshName(DataplaneState s, Inet4Endpoint at) {
    Optional<VService> vs = s.vserviceAt(at);
    if (vs.isPresent()) {
      return Optional.of(vs.get().name());
    }
    Optional<String> served = firstApp(s, s.serversAt(at));
    return served.isPresent() ? served : firstApp(s, s.serversAtHost(at));
  }

  private static String backendOf(DataplaneState s, Inet4Endpoint target) {
    if (target.isLoopback()) {
      return LOOPBACK;
    }
    // Not an entry's real address: an external backend, whose address the operator wrote.
    return firstApp(s, s.serversAtHost(target)).orElseGet(target::toString);
  }

  private static Optional<String> firstApp(DataplaneState s, List<ServerEntry> entries) {
    for (ServerEntry e : entries) {
      App app = s.apps().get(e.appId());
      return Optional.of(app == null ? UNKNOWN : workload(app));
    }
    return Optional.empty();
  }
}
