package io.ax.core.model;

import io.ax.core.net.Ipv4;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A program running under {@code ax run}, as the daemon knows it. Immutable; part of the
 * {@code DataplaneState} snapshot, persisted in the state file and, with clusters, replicated to
 * the other nodes: whatever a peer must know of an app (its address, labels, exposed ports)
 * belongs here, not in a node-local map.
 *
 * @param name the {@code --name}, or {@code <uuid>} when none was given, as AppSwitch shows it
 * @param appIp the {@code --ip}, or the node's IP when none was given
 * @param pid the launcher's supervisor process, whose exit ends the app
 * @param exposures the {@code --expose} mappings, in the order given (copied)
 * @param ownerUid the user who registered it (SO_PEERCRED of its launcher), {@link #UNKNOWN_UID}
 *     for apps of older state files: after a daemon restart only that user may claim its id
 */
public record App(AppId id, String name, String nodeId, String cluster, Ipv4 appIp, String driver, Labels labels, long pid, List<ExposedPort> exposures, int ownerUid) {
  /** The owner of an app saved by a daemon that did not record it. */
  public static final int UNKNOWN_UID = -1;

  public App {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(appIp, "appIp");
    Objects.requireNonNull(driver, "driver");
    Objects.requireNonNull(labels, "labels");
    exposures = List.copyOf(exposures);
  }

  /** An app that exposes no port, of an unknown owner. */
  public App(AppId id, String name, String nodeId, String cluster, Ipv4 appIp, String driver, Labels labels, long pid) {
    this(id, name, nodeId, cluster, appIp, driver, labels, pid, List.of());
  }

  /** An app of an unknown owner. */
  public App(AppId id, String name, String nodeId, String cluster, Ipv4 appIp, String driver, Labels labels, long pid, List<ExposedPort> exposures) {
    this(id, name, nodeId, cluster, appIp, driver, labels, pid, exposures, UNKNOWN_UID);
  }

  /** The {@code --expose} mapping of {@code appPort}; the first one given when several name it. */
  public Optional<ExposedPort> exposureOf(int appPort) {
    for (ExposedPort x : exposures) {
      if (x.appPort() == appPort) {
        return Optional.of(x);
      }
    }
    return Optional.empty();
  }
}
