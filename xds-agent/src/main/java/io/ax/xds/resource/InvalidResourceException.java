package io.ax.xds.resource;

/**
 * An xDS resource the agent cannot accept. The ADS client NACKs the response that carried it with
 * {@link #getMessage()} as the error detail, and keeps the resource's last good value.
 */
public final class InvalidResourceException extends Exception {
  private final String resourceName;

  public InvalidResourceException(ResourceType type, String resourceName, String reason) {
    super(type.shortName() + " resource '" + resourceName + "': " + reason);
    this.resourceName = resourceName;
  }

  public String resourceName() {
    return resourceName;
  }
}
