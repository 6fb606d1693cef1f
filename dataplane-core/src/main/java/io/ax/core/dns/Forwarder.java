package io.ax.core.dns;

import java.io.IOException;
import org.xbill.DNS.Message;

/**
 * Sends a query to an upstream DNS server and returns its answer. The seam between the resolver
 * and the network, so tests can forward to an in-process upstream.
 *
 * <p>Contract: blocking (call it on a virtual thread), thread-safe, bounded in time by the
 * implementation's timeouts. The returned message answers {@code query}: same question, QR set.
 * Any rcode (SERVFAIL, NXDOMAIN...) is an answer; only when no upstream answered at all does it
 * throw.
 */
public interface Forwarder {
  /**
   * @param query a recursive query with exactly one question; the forwarder may change its ID
   * @throws IOException when no upstream answered in time
   */
  Message forward(Message query) throws IOException;
}
