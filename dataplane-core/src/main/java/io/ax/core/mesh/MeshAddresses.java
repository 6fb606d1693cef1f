package io.ax.core.mesh;

import io.ax.core.model.ServerEntry;
import io.ax.core.model.VService;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.StateListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtual IPs the mesh has held since the daemon started: vservices' vIPs and the service
 * addresses of apps run with {@code --ip} or {@code --name} (a service address that is not its
 * server's real host IP). A connect to one of them that no rule of the decision matches (a port
 * nothing serves, a server that just left) is refused, not sent to the real address: whatever
 * answers at that IP outside the mesh is not what the client asked for, and would be reached
 * around the label ACL. Only addresses the mesh never held go direct.
 *
 * <p>An IP is never forgotten while the daemon runs (an app that left may come back); the set is
 * bounded by {@link #MAX}.
 */
public final class MeshAddresses implements StateListener {
  private static final Logger log = LoggerFactory.getLogger(MeshAddresses.class);
  /** 4 MiB or so of heap; far beyond a node's vIPs (the scale benchmark runs 10,000). */
  static final int MAX = 100_000;

  private final Set<Integer> held = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean full = new AtomicBoolean();


  @Override
  public void onCommit(DataplaneState before, DataplaneState after) {
    if (before.servers() != after.servers() || before.vservices() != after.vservices()) {
      addAll(after);
    }
  }

  /** Whether the mesh has held {@code ip} (an IPv4 address as an int). */
  public boolean held(int ip) {
    return held.contains(ip);
  }

  /** Adds the virtual IPs of {@code s} (the store's state when this starts following it). */
  public void addAll(DataplaneState s) {
    for (VService vs : s.vservices().values()) {
      add(vs.ip().bits());
    }
    for (ServerEntry e : s.servers().values()) {
      if (e.serviceAddr().ip() != e.hostAddr().ip()) {
        add(e.serviceAddr().ip());
      }
    }
  }

  private void add(int ip) {
    if (held.size() < MAX) {
      held.add(ip);
    } else if (!held.contains(ip) && full.compareAndSet(false, true)) {
      log.warn("[mesh] more than {} virtual IPs seen: connects to new ones that no rule matches go direct", MAX);
    }
  }
}
