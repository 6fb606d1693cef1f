package io.ax.core.cluster;

import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.ServerEntry;
import io.ax.core.model.SocketEntry;
import io.ax.core.state.DataplaneState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What of a peer's entries the table takes. A node writes only keys that are free or its own:
 * app ids are picked at random on each node, so two nodes can pick the same one (32 bits), and a
 * broken or hostile peer could name another node's server; the entry already in the table keeps
 * its key and the newcomer's is refused, with a server or socket of an app id that another node
 * holds. The peer's check in {@link PeerMessages} has already refused entries it does not own.
 */
final class PeerEntries {
  private PeerEntries() {}

  /** The entries admitted, and the keys refused (for the warning). */
  record Admitted(List<App> apps, List<ServerEntry> servers, List<SocketEntry> sockets, List<String> refused) {
    int size() {
      return apps.size() + servers.size() + sockets.size();
    }
  }

  static Admitted admit(DataplaneState st, String owner, Collection<App> apps, Collection<ServerEntry> servers, Collection<SocketEntry> sockets) {
    List<String> refused = new ArrayList<>();
    List<App> a = free(st.apps(), apps, App::id, App::nodeId, owner, refused);
    List<ServerEntry> sv = free(st.servers(), servers, ServerEntry::id, ServerEntry::nodeId, owner, refused).stream()
        .filter(e -> appFree(st, e.appId(), owner, "server " + e.id(), refused))
        .toList();
    List<SocketEntry> so = free(st.sockets(), sockets, SocketEntry::id, SocketEntry::nodeId, owner, refused).stream()
        .filter(e -> appFree(st, e.appId(), owner, "socket " + e.id(), refused))
        .toList();
    return new Admitted(a, sv, so, refused);
  }

  /**
   * How many entries {@code owner} has after a delta: {@code before}, less the removed ones it
   * held, plus the admitted ones under new keys.
   */
  static int countAfter(
      DataplaneState st, String owner, int before, Admitted puts, Collection<AppId> removedApps, Collection<String> removedServers, Collection<String> removedSockets) {
    Set<Object> removed = new HashSet<>();
    int count = before;
    count -= removedOwned(st.apps(), removedApps, App::nodeId, owner, removed);
    count -= removedOwned(st.servers(), removedServers, ServerEntry::nodeId, owner, removed);
    count -= removedOwned(st.sockets(), removedSockets, SocketEntry::nodeId, owner, removed);
    count += added(st.apps(), puts.apps(), App::id, removed);
    count += added(st.servers(), puts.servers(), ServerEntry::id, removed);
    count += added(st.sockets(), puts.sockets(), SocketEntry::id, removed);
    return count;
  }

  private static <K, V> int removedOwned(Map<K, V> table, Collection<K> keys, Function<V, String> nodeOf, String owner, Set<Object> removed) {
    int n = 0;
    for (K k : keys) {
      V held = table.get(k);
      if (held != null && nodeOf.apply(held).equals(owner) && removed.add(k)) {
        n++;
      }
    }
    return n;
  }

  private static <K, V> int added(Map<K, V> table, List<V> puts, Function<V, K> key, Set<Object> removed) {
    int n = 0;
    for (V v : puts) {
      K k = key.apply(v);
      if (!table.containsKey(k) || removed.contains(k)) {
        n++;
      }
    }
    return n;
  }

  private static <K, V> List<V> free(Map<K, V> table, Collection<V> entries, Function<V, K> key, Function<V, String> nodeOf, String owner, List<String> refused) {
    List<V> out = new ArrayList<>(entries.size());
    for (V v : entries) {
      V held = table.get(key.apply(v));
      if (held != null && !nodeOf.apply(held).equals(owner)) {
        refused.add(key.apply(v) + " (held by node " + nodeOf.apply(held) + ")");
      } else {
        out.add(v);
      }
    }
    return out;
  }

  private static boolean appFree(DataplaneState st, AppId appId, String owner, String what, List<String> refused) {
    App app = st.apps().get(appId);
    if (app != null && !app.nodeId().equals(owner)) {
      refused.add(what + " (its app " + appId + " is on node " + app.nodeId() + ")");
      return false;
    }
    return true;
  }
}
