package io.ax.xds.dataplane;

import io.ax.admin.v1.VService;
import java.util.List;

/**
 * Where the agent's vservices go. Each call is an idempotent full-state reconcile: after it the
 * target holds exactly these vservices for the agent's owner id, whatever it held before (so the
 * same call also heals a daemon that restarted or lost them).
 */
public interface Dataplane extends AutoCloseable {
  ApplyResult apply(List<VService> vservices) throws DataplaneException;

  @Override
  void close();
}
