package io.ax.core.mesh;

import io.ax.core.field.InvalidFieldException;
import java.util.Locale;

/**
 * Where a connect to an address the mesh has never held may go: Istio's {@code
 * outboundTrafficPolicy.mode}, with Istio's names and default.
 */
public enum OutboundPolicy {
  /** Straight to the address, as a process outside the mesh would connect (Istio's default). */
  ALLOW_ANY,
  /**
   * Refused with ECONNREFUSED: only what the mesh knows (vservices, service addresses, apps' real
   * addresses, the node's DNS server) can be reached. Istio resets such connections at its
   * BlackHoleCluster; refusing at {@code connect()} tells the app at once.
   */
  REGISTRY_ONLY;

  /** {@code ALLOW_ANY} or {@code REGISTRY_ONLY}, in any case; one line naming {@code field} otherwise. */
  public static OutboundPolicy parse(String field, String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new InvalidFieldException(field, "'" + text + "' is not an outbound traffic policy (expected ALLOW_ANY or REGISTRY_ONLY)");
    }
  }
}
