package io.ax.xds.ads;

import io.ax.xds.translate.XdsSnapshot;

/**
 * Receives the ADS client's complete accepted state after every response that changed it (fully or
 * partly accepted). Called on the client's serial executor: it must return quickly and hand heavy
 * work (translation, pushing) to its own thread. The snapshot is immutable.
 */
@FunctionalInterface
public interface SnapshotListener {
  void onSnapshot(XdsSnapshot snapshot);
}
