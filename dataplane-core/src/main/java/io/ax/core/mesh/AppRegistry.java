package io.ax.core.mesh;

import io.ax.bridge.SocketPolicy.Registration;
import io.ax.core.claims.Claimant;
import io.ax.core.claims.ClaimsGate;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.ExposedPort;
import io.ax.core.model.Labels;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apps of this node: turns what {@code ax run} sends into an {@link App} (its id, name, vIP,
 * labels and {@code --expose} mappings) and forgets it when it goes.
 *
 * <p>State and confinement. Everything about an app that other nodes will need lives in the
 * {@link App} record inside the store's immutable snapshot ({@link DataplaneStore}: swapped
 * through an {@code AtomicReference}, written through its serial commit), persisted and, with
 * clusters, replicated. The one thing kept here is node-local: which apps registered with this
 * daemon since it started (an app restored from the state file has not yet), a concurrent set
 * with no invariant across its elements. So the bridge may call from any thread; two
 * registrations of one id race as two {@code putApp} commits do, the last one wins.
 */
public final class AppRegistry {
  private static final Logger log = LoggerFactory.getLogger(AppRegistry.class);
  private static final int FIRST_UNPRIVILEGED_PORT = 1024;

  private final DataplaneStore store;
  private final MeshSocketPolicy.Node node;
  private final RandomGenerator random;
  private final Predicate<Ipv4> otherNode;
  private final ClaimsGate claims;
  private final Set<AppId> registered = ConcurrentHashMap.newKeySet();

  /** A registry of a node alone: {@code --expose} may name this node's IP only. */
  public AppRegistry(DataplaneStore store, MeshSocketPolicy.Node node, RandomGenerator random) {
    this(store, node, random, ip -> false);
  }

  /**
   * @param random picks the ids of new apps
   * @param otherNode whether an IP is another live node's of the cluster, for {@code --expose
   *     APPPORT:NODE-IP:HOSTPORT}
   */
  public AppRegistry(DataplaneStore store, MeshSocketPolicy.Node node, RandomGenerator random, Predicate<Ipv4> otherNode) {
    this(store, node, random, otherNode, ClaimsGate.builtIn());
  }

  /**
   * @param random picks the ids of new apps
   * @param otherNode whether an IP is another live node's of the cluster, for {@code --expose
   *     APPPORT:NODE-IP:HOSTPORT}
   * @param claims who may claim which labels, vIPs and names
   */
  public AppRegistry(DataplaneStore store, MeshSocketPolicy.Node node, RandomGenerator random, Predicate<Ipv4> otherNode, ClaimsGate claims) {
    this.claims = Objects.requireNonNull(claims, "claims");
    this.store = Objects.requireNonNull(store, "store");
    this.node = Objects.requireNonNull(node, "node");
    this.random = Objects.requireNonNull(random, "random");
    this.otherNode = Objects.requireNonNull(otherNode, "otherNode");
  }

  /**
   * Admits an app: checks its flags, stores it and counts it as registered since start.
   *
   * @throws InvalidFieldException naming the bad flag ({@code --ip}, {@code --expose}...), or the
   *     label, vIP or name the claims policy refuses the user; nothing is stored then
   */
  public App register(Registration r) {
    DataplaneState s = store.current();
    Ipv4 ip = !r.ip().isEmpty() ? Ipv4.parse("--ip", r.ip()) : !r.name().isEmpty() ? NamedIps.pick(s, checkName(r.name()), r.appId()) : node.ip();
    Labels labels = Labels.parse("--labels", r.labels());
    List<ExposedPort> exposed = exposures(r);
    AppId id = chooseId(r.appId(), r.uid());
    // After the id: a restored app's id taken by another user is refused as such first.
    // Only what the user asked for is checked: the daemon's own picks (the node IP, a named
    // app's made-up vIP) claim nothing, and the name's check covers the vIP it brings.
    // Check and store are two steps: two users registering the same new vIP or name at the
    // same instant may both pass (a known limit, written in the README's security model).
    Claimant claimant = new Claimant(r.uid(), r.gid(), r.groups());
    claims.checkLabels(claimant, labels);
    if (!r.ip().isEmpty()) {
      claims.checkIp(s, node.name(), claimant, id, ip);
    }
    if (!r.name().isEmpty()) {
      claims.checkName(s, node.name(), claimant, id, r.name());
    }
    App known = store.current().apps().get(id);
    // An app without --name is shown as <uuid>, as AppSwitch did; it keeps it across restarts.
    String name = !r.name().isEmpty() ? checkName(r.name()) : known != null ? known.name() : "<" + UUID.randomUUID() + ">";
    App app = new App(id, name, node.name(), node.cluster(), ip, "user", labels, r.supervisorPid(), exposed, r.uid());
    store.putApp(app);
    registered.add(id);
    log.info("[mesh] app {} '{}' at {} labels '{}' (pid {})", id, name, ip, labels, r.appPid());
    return app;
  }

  /** The app's {@code --expose} flags, each a comma-separated list; privileged host ports for root only. */
  private List<ExposedPort> exposures(Registration r) {
    List<ExposedPort> exposed = new ArrayList<>();
    for (String e : r.expose()) {
      for (String item : e.split(",")) {
        ExposedPort x = ExposedPort.parse(item, node.ip(), otherNode);
        if (x.hostPort() < FIRST_UNPRIVILEGED_PORT && r.uid() != 0) {
          throw new InvalidFieldException("--expose", "host port " + x.hostPort() + " is privileged (below 1024); only root may expose it");
        }
        exposed.add(x);
      }
    }
    return exposed;
  }

  private static String checkName(String name) {
    if (name.length() > 253 || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_')) {
      throw new InvalidFieldException("--name", "'" + name + "' is not a valid name (expected letters, digits, '-', '_' and '.')");
    }
    return name;
  }

  /** The id an app asked to keep (it registers again after a daemon restart), or a new one. */
  private AppId chooseId(String requested, int uid) {
    if (!requested.isEmpty()) {
      AppId id = new AppId(requested);
      App known = store.current().apps().get(id);
      if (known != null && !known.nodeId().equals(node.name())) {
        // Ids are kept across daemon restarts of this node only; another node's app is not ours to take.
        throw new InvalidFieldException("app id", "'" + requested + "' belongs to an app on node " + known.nodeId());
      }
      // App ids are public (ax get apps): after a daemon restart, another user racing the
      // owner's launcher would take its IP, name, labels and service entries (issue 17). An app
      // saved without its owner (by an older daemon) could be anyone's: only root takes it back.
      if (known != null && known.ownerUid() != uid && (known.ownerUid() != App.UNKNOWN_UID || uid != 0)) {
        throw new InvalidFieldException("app id", "'" + requested + "' belongs to another user");
      }
      return id;
    }
    Map<AppId, App> apps = store.current().apps();
    AppId id;
    do {
      id = AppId.random(random);
    } while (apps.containsKey(id));
    return id;
  }

  /** The app as the current snapshot has it, registered or restored. */
  public Optional<App> find(AppId id) {
    return Optional.ofNullable(store.current().apps().get(id));
  }

  /** Removes the app with its entries and sockets; harmless for unknown apps. */
  public void forget(AppId id) {
    store.removeApp(id);
    registered.remove(id);
  }

  /** Whether the app registered with this daemon (not only restored from its state file). */
  public boolean registeredSinceStart(AppId id) {
    return registered.contains(id);
  }
}
