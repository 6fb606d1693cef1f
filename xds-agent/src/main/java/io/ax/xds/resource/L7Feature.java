package io.ax.xds.resource;

/**
 * L7 behaviours a route can configure that ax, which decides once per connection at connect()
 * time, cannot apply. Translation reports them; none makes a resource invalid.
 */
public enum L7Feature {
  RETRIES("retries"),
  TIMEOUT("request timeout"),
  MIRROR("traffic mirroring"),
  FAULT_INJECTION("fault injection"),
  REWRITE("path or host rewrite"),
  HEADER_MUTATION("header changes"),
  HASH_POLICY("hash policy (ax hashes the client IP)"),
  CORS("CORS policy"),
  OTHER_FILTER_CONFIG("per-route filter config");

  private final String description;

  L7Feature(String description) {
    this.description = description;
  }

  /** How notes name it. */
  public String description() {
    return description;
  }
}
