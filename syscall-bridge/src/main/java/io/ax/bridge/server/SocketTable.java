package io.ax.bridge.server;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.sys.Sys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets the bridge has an opinion about, by inode (fd numbers are reused and differ
 * between processes sharing a socket). Bounded: past {@link #MAX_SOCKETS}, the oldest
 * unpublished entries go first (a client socket that loses its entry only shows its real peer
 * address in getpeername). Thread-safe: the entries live in a concurrent map, and each entry
 * guards its own state.
 */
final class SocketTable {
  private static final Logger log = LoggerFactory.getLogger(SocketTable.class);
  /** Far above what a node's apps hold at once; bounds memory against a socket-churning app. */
  static final int MAX_SOCKETS = 200_000;

  private final ConcurrentHashMap<Long, SocketState> byInode = new ConcurrentHashMap<>();
  private final LongSupplier nanoClock;

  SocketTable(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  Optional<SocketState> get(long inode) {
    return Optional.ofNullable(byInode.get(inode));
  }

  /**
   * Notes a socket the bridge just made for an app, whose family and type it knows, so that its
   * connect need not ask the kernel again. An entry already there is left alone: socket inodes
   * only repeat once the kernel's 32-bit counter wraps ({@code get_next_ino}), and every entry
   * is keyed on that already.
   */
  void created(String appId, long inode, int family, int type) {
    Transport transport = type == Sys.SOCK_DGRAM ? Transport.UDP : Transport.TCP;
    byInode.putIfAbsent(inode, new SocketState(appId, inode, transport, new SocketState.Origin.Made(family, type), nanoClock.getAsLong()));
    if (byInode.size() > MAX_SOCKETS) {
      evictUnpublished(MAX_SOCKETS / 10);
    }
  }

  /** The entry for a socket, created when missing (or replaced when the inode was reused by another app). */
  SocketState getOrCreate(String appId, long inode, int family, Transport transport) {
    SocketState s = byInode.compute(inode, (k, old) ->
        old != null && old.appId.equals(appId) ? old : new SocketState(appId, inode, transport, new SocketState.Origin.Seen(family), nanoClock.getAsLong()));
    if (byInode.size() > MAX_SOCKETS) {
      evictUnpublished(MAX_SOCKETS / 10);
    }
    return s;
  }

  void remove(long inode) {
    byInode.remove(inode);
  }

  /** Every entry of an app, removed (the app is gone). */
  List<SocketState> removeApp(String appId) {
    List<SocketState> removed = new ArrayList<>();
    byInode.values().removeIf(s -> {
      if (s.appId.equals(appId)) {
        removed.add(s);
        return true;
      }
      return false;
    });
    return removed;
  }

  List<SocketState> snapshot() {
    return new ArrayList<>(byInode.values());
  }

  int size() {
    return byInode.size();
  }

  private void evictUnpublished(int count) {
    List<SocketState> candidates = new ArrayList<>();
    for (SocketState s : byInode.values()) {
      if (!s.published()) {
        candidates.add(s);
      }
    }
    candidates.sort((a, b) -> Long.compare(a.createdNanos, b.createdNanos));
    for (int i = 0; i < Math.min(count, candidates.size()); i++) {
      byInode.remove(candidates.get(i).inode);
    }
    log.warn("[bridge] socket table over {} entries: dropped the {} oldest client entries", MAX_SOCKETS, Math.min(count, candidates.size()));
  }
}
