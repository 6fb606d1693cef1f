package io.ax.core.model;

/** Transport of a socket or service. Append-only: values are persisted and sent on the wire. */
public enum Protocol {
  TCP,
  UDP;

  /** {@code tcp}, as the tables show it. */
  public String display() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
