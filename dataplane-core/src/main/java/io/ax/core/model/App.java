package io.ax.core.model;

import io.ax.core.net.Ipv4;
import java.util.Objects;

/**
 * A program running under {@code ax run}, as the daemon knows it.
 *
 * @param name the {@code --name}, or {@code <uuid>} when none was given, as AppSwitch shows it
 * @param appIp the {@code --ip}, or the node's IP when none was given
 * @param pid the launcher's supervisor process, whose exit ends the app
 */
public record App(AppId id, String name, String nodeId, String cluster, Ipv4 appIp, String driver, Labels labels, long pid) {
  public App {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(appIp, "appIp");
    Objects.requireNonNull(driver, "driver");
    Objects.requireNonNull(labels, "labels");
  }
}
