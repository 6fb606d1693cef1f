package io.ax.core.model;

import java.util.List;
import java.util.Objects;

/** A node of the cluster: for now, the one this daemon runs on. */
public record NodeInfo(String name, String cluster, String ip, String externalIp, List<String> roles, int appCount) {
  public NodeInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(externalIp, "externalIp");
    roles = List.copyOf(roles);
  }
}
