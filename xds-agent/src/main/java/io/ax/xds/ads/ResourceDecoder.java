package io.ax.xds.ads;

import com.google.protobuf.Any;
import io.ax.xds.resource.InvalidResourceException;
import io.ax.xds.resource.ResourceParser;
import io.ax.xds.resource.ResourceType;
import io.ax.xds.resource.XdsResource;

/**
 * Turns one resource of a discovery response into its record. The ADS client calls it on its
 * serial executor, once per resource; it must be pure (no I/O, no shared state).
 *
 * <p>Contract: returns a resource of {@code type} whose {@code name()} is the resource's xDS name,
 * or throws {@link InvalidResourceException} naming the resource (its name, or "" when not even
 * the name could be read) and the rule it broke. Any other exception is treated as the same
 * rejection, with the exception as the reason: a decoder bug NACKs one resource and does not take
 * the stream down.
 */
@FunctionalInterface
public interface ResourceDecoder {
  XdsResource decode(ResourceType type, Any resource) throws InvalidResourceException;

  /** The real decoder: {@link ResourceParser#parse}. */
  static ResourceDecoder standard() {
    return ResourceParser::parse;
  }
}
