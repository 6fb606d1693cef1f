package io.ax.bridge.sys;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * pidfds of recently trapped threads, so a trapped call costs one pidfd_getfd instead of
 * pidfd_open, pidfd_getfd and close. Confined to one thread (the event loop): a pidfd closed by
 * one thread while another uses it could name someone else's file by then. Bounded; the least
 * recently used pidfd is closed first.
 */
public final class PidfdCache implements AutoCloseable {
  /** More threads than a node's apps trap at once, few enough fds to keep. */
  static final int MAX = 1024;

  private final LinkedHashMap<Integer, Integer> byTid = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Integer, Integer> eldest) {
      if (size() > MAX) {
        Libc.close(eldest.getValue());
        return true;
      }
      return false;
    }
  };

  /** The pidfd of thread {@code tid}, opened on first use; {@code -errno} when it cannot be. */
  int pidfd(int tid) {
    Integer known = byTid.get(tid);
    if (known != null) {
      return known;
    }
    int fd = Libc.pidfdOpen(tid, Sys.PIDFD_THREAD);
    if (fd >= 0) {
      byTid.put(tid, fd);
    }
    return fd;
  }

  void forget(int tid) {
    Integer fd = byTid.remove(tid);
    if (fd != null) {
      Libc.close(fd);
    }
  }

  @Override
  public void close() {
    byTid.values().forEach(Libc::close);
    byTid.clear();
  }
}
