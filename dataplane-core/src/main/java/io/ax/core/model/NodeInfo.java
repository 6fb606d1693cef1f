package io.ax.core.model;

import java.util.List;
import java.util.Objects;

/**
 * A node of the cluster as this daemon knows it.
 *
 * @param alive false for a node that left the cluster or was declared dead (its entries are gone)
 */
public record NodeInfo(String name, String cluster, String ip, String externalIp, List<String> roles, int appCount, boolean alive) {
  public NodeInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(externalIp, "externalIp");
    roles = List.copyOf(roles);
  }

  /** A live node. */
  public NodeInfo(String name, String cluster, String ip, String externalIp, List<String> roles, int appCount) {
    this(name, cluster, ip, externalIp, roles, appCount, true);
  }
}
