package io.ax.xds.resource;

import com.google.protobuf.Any;

/** Decodes and validates xDS resources into {@link XdsResource} records. */
public final class ResourceParser {
  private ResourceParser() {}

  /**
   * Parses one resource of a discovery response.
   *
   * @throws InvalidResourceException when it does not decode as {@code type} or fails validation
   */
  public static XdsResource parse(ResourceType type, Any resource) throws InvalidResourceException {
    throw new UnsupportedOperationException("CONTRACT skeleton: implemented by the parser work");
  }
}
