package io.ax.xds.pilot.config;

import java.util.List;
import java.util.Objects;

/**
 * Who a config object is: its kind, name and namespace (Kubernetes' {@code default} when the file
 * does not say), where it was read ({@code file:line} of its document) for messages, and the
 * namespaces it is exported to.
 *
 * @param exportTo Istio's {@code exportTo} (or a Service's {@code networking.istio.io/exportTo}
 *     annotation) as written: {@code .} for its own namespace, {@code *} for all, {@code ~} for
 *     none, or namespace names; empty, as when not written, exports to every namespace (Istio's
 *     default when MeshConfig sets no other)
 */
public record Meta(String kind, String name, String namespace, String source, List<String> exportTo) {
  public Meta {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(source, "source");
    exportTo = List.copyOf(exportTo);
  }

  /** An object exported to every namespace. */
  public Meta(String kind, String name, String namespace, String source) {
    this(kind, name, namespace, source, List.of());
  }

  public Meta withExportTo(List<String> to) {
    return new Meta(kind, name, namespace, source, to);
  }

  /** {@code Kind namespace/name}, as messages name an object. */
  public String id() {
    return kind + " " + namespace + "/" + name;
  }

  /** Whether a proxy in {@code client} sees this object, per {@link #exportTo}. */
  public boolean visibleTo(String client) {
    if (exportTo.isEmpty()) {
      return true;
    }
    for (String to : exportTo) {
      if (to.equals("*") || to.equals(client) || to.equals(".") && namespace.equals(client)) {
        return true;
      }
    }
    return false;
  }
}
