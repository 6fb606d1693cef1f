package io.ax.xds.pilot.xds;

/** istiod's cluster, listener and route names. */
public final class ClusterNames {
  private ClusterNames() {}

  /** {@code outbound|9080||reviews.default.svc.cluster.local}, or with the subset between the bars. */
  public static String outbound(int port, String subset, String host) {
    return "outbound|" + port + "|" + subset + "|" + host;
  }

  /** The shared HTTP listener of a port: {@code 0.0.0.0_9080}. */
  public static String httpListener(int port) {
    return "0.0.0.0_" + port;
  }

  /** The TCP listener of one service port: {@code 10.96.36.43_27017}. */
  public static String tcpListener(String vip, int port) {
    return vip + "_" + port;
  }

  /** The RDS route configuration of a port: {@code 9080}. */
  public static String route(int port) {
    return Integer.toString(port);
  }
}
