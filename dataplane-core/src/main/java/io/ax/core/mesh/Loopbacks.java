package io.ax.core.mesh;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.model.AppId;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Each app's own loopback, as it would have in its own network namespace: what it serves on
 * 127.0.0.0/8 is reachable by itself only, never published, and host loopback is not reachable
 * at all. Each such socket is really bound to a pool port on host loopback; this maps the app's
 * (transport, virtual address) to that real address, and the socket's inode to its key so that
 * its closing finds it.
 *
 * <p>Node-local and never persisted nor replicated: nobody else may reach these sockets, and
 * they die with the daemon's view of the app. Thread-safe: both maps are guarded by this
 * object's lock, so they always agree; every call holds it for a few map operations only
 * (binds on loopback and connects to it are rare next to connects into the mesh, which never
 * come here).
 */
public final class Loopbacks {
  /** A socket an app serves on its loopback. */
  private record Key(Transport transport, Inet4Endpoint virtual) {}

  private record Owner(AppId app, Key key) {}

  private final Map<AppId, Map<Key, Inet4Endpoint>> byApp = new HashMap<>();
  private final Map<Long, Owner> byInode = new HashMap<>();

  /** The app now serves {@code virtual} (a loopback address) at {@code real}. */
  public synchronized void publish(AppId app, long inode, Transport transport, Inet4Endpoint virtual, Inet4Endpoint real) {
    Objects.requireNonNull(real, "real");
    Key key = new Key(Objects.requireNonNull(transport, "transport"), Objects.requireNonNull(virtual, "virtual"));
    byApp.computeIfAbsent(Objects.requireNonNull(app, "app"), k -> new HashMap<>()).put(key, real);
    byInode.put(inode, new Owner(app, key));
  }

  /** Where the app's own loopback serves {@code virtual}, if it does. */
  public synchronized Optional<Inet4Endpoint> find(AppId app, Transport transport, Inet4Endpoint virtual) {
    Map<Key, Inet4Endpoint> own = byApp.get(app);
    return own == null ? Optional.empty() : Optional.ofNullable(own.get(new Key(transport, virtual)));
  }

  /**
   * The socket {@code inode} of {@code app} closed: forgets it.
   *
   * @return the real address it was bound to, whose port goes back; empty when the inode is not a
   *     loopback socket of this app (then it may be a published one)
   */
  public synchronized Optional<Inet4Endpoint> withdraw(AppId app, long inode) {
    Owner owner = byInode.get(inode);
    if (owner == null || !owner.app().equals(app)) {
      return Optional.empty();
    }
    byInode.remove(inode);
    Map<Key, Inet4Endpoint> own = byApp.get(app);
    return own == null ? Optional.empty() : Optional.ofNullable(own.remove(owner.key()));
  }

  /** The app is gone: its loopback with it. */
  public synchronized void forget(AppId app) {
    byApp.remove(app);
    byInode.values().removeIf(o -> o.app().equals(app));
  }
}
