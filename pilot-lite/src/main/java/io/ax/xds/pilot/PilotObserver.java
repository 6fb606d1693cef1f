package io.ax.xds.pilot;

import java.time.Duration;

/**
 * What pilot-lite tells its host about its work, for metrics: kept free of a metrics library so
 * the server does not pick one for its embedders ({@code ax pilot} counts with Prometheus). Called
 * on gRPC and config threads, so implementations are thread-safe and quick.
 */
public interface PilotObserver {
  /** Observes nothing. */
  PilotObserver NONE = new PilotObserver() {};

  /** An ADS stream opened (a node connected or reconnected). */
  default void streamOpened() {}

  /** An ADS stream ended, cleanly or not. */
  default void streamClosed() {}

  /**
   * A response went out on a stream.
   *
   * @param type the resource type's short name: {@code cluster}, {@code endpoint}, {@code
   *     listener}, {@code route} or {@code other}
   */
  default void responseSent(String type) {}

  /**
   * A node accepted a response.
   *
   * @param sinceSent from sending the response to its ACK: what a push takes to reach a node and
   *     be applied there
   */
  default void acked(String type, Duration sinceSent) {}

  /** A node rejected a response (its request carried an error detail). */
  default void nacked(String type) {}

  /**
   * A scan of the directory ended.
   *
   * @param took from the scan's start to the snapshot in the cache, or to finding nothing new
   * @param outcome {@code published} (a new snapshot), {@code unchanged} or {@code failed}
   */
  default void configBuilt(Duration took, String outcome) {}
}
