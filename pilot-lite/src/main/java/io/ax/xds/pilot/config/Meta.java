package io.ax.xds.pilot.config;

import java.util.Objects;

/**
 * Who a config object is: its kind, name and namespace (Kubernetes' {@code default} when the file
 * does not say), and where it was read ({@code file:line} of its document) for messages.
 */
public record Meta(String kind, String name, String namespace, String source) {
  public Meta {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(source, "source");
  }

  /** {@code Kind namespace/name}, as messages name an object. */
  public String id() {
    return kind + " " + namespace + "/" + name;
  }
}
