package io.ax.xds.ads;

import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Objects;

/**
 * How the ADS client talks to the control plane. Every default carries its reason.
 *
 * @param node who we are to istiod (sent on every request, see {@link AdsState})
 * @param reconnect the wait before reconnecting a stream that failed
 * @param repeatedNack the wait before NACKing again a version we already NACKed
 * @param maxInboundMessageBytes the largest discovery response accepted; a larger one fails the
 *     stream (counted, logged) and the client reconnects
 * @param maxResourcesPerResponse the most resources one response may carry; more is NACKed whole
 */
public record AdsConfig(
    Node node, Backoff reconnect, Backoff repeatedNack, int maxInboundMessageBytes, int maxResourcesPerResponse) {

  /**
   * 64 MiB. State of the world sends every cluster (or every endpoint set) in one message: the
   * benchmark's 100,000 endpoints make an EDS response of a few MB, and 10,000 of Istio's clusters
   * (1-2 KB each with their transport-socket matches) a CDS response of 10-20 MB. 64 MiB leaves room
   * for a larger mesh while bounding what one message can make us allocate. gRPC's own default
   * (4 MiB) is too small for a large mesh.
   */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 64 << 20;

  /**
   * 250,000 resources: above the benchmark's mesh (10,000 clusters, 10,000 endpoint sets; a large
   * Istio mesh has tens of thousands of services), small enough that a runaway server cannot make
   * us build millions of records from one message.
   */
  public static final int DEFAULT_MAX_RESOURCES_PER_RESPONSE = 250_000;

  /**
   * A repeated NACK of the same version waits 1 s doubling to 30 s. istiod does not resend a
   * NACKed version, but java-control-plane's cache (pilot-lite) answers a NACK that carries an
   * older version by resending the current one at once: without this wait the two would loop
   * as fast as the network allows.
   */
  public static final Backoff DEFAULT_REPEATED_NACK = new Backoff(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(30), 2.0, 0.2);

  public AdsConfig {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(reconnect, "reconnect");
    Objects.requireNonNull(repeatedNack, "repeatedNack");
    if (node.getId().isEmpty()) {
      throw new IllegalArgumentException("node: the id must not be empty");
    }
    if (maxInboundMessageBytes < 1024) {
      throw new IllegalArgumentException("maxInboundMessageBytes: " + maxInboundMessageBytes + " must be at least 1024");
    }
    if (maxResourcesPerResponse < 1) {
      throw new IllegalArgumentException("maxResourcesPerResponse: " + maxResourcesPerResponse + " must be positive");
    }
  }

  /** The defaults above for {@code node}. */
  public static AdsConfig of(Node node) {
    return new AdsConfig(node, Backoff.RECONNECT, DEFAULT_REPEATED_NACK, DEFAULT_MAX_INBOUND_MESSAGE_BYTES, DEFAULT_MAX_RESOURCES_PER_RESPONSE);
  }

  public AdsConfig withReconnect(Backoff backoff) {
    return new AdsConfig(node, backoff, repeatedNack, maxInboundMessageBytes, maxResourcesPerResponse);
  }

  public AdsConfig withRepeatedNack(Backoff backoff) {
    return new AdsConfig(node, reconnect, backoff, maxInboundMessageBytes, maxResourcesPerResponse);
  }

  public AdsConfig withMaxInboundMessageBytes(int bytes) {
    return new AdsConfig(node, reconnect, repeatedNack, bytes, maxResourcesPerResponse);
  }
}
