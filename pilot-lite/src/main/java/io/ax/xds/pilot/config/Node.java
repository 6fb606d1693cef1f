package io.ax.xds.pilot.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A YAML/JSON value with the 1-based line it starts on. Immutable. */
public sealed interface Node permits Node.Obj, Node.Seq, Node.Scalar {
  int line();

  /** What a scalar held before YAML's implicit typing turned it into a string here. */
  enum Kind {
    STRING,
    NUMBER,
    BOOLEAN,
    NULL
  }

  /** A mapping, keys in file order. */
  record Obj(int line, Map<String, Node> fields) implements Node {
    public Obj {
      fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }
  }

  /** A sequence. */
  record Seq(int line, List<Node> items) implements Node {
    public Seq {
      items = List.copyOf(items);
    }
  }

  /** A scalar as written ({@code ""} for null). */
  record Scalar(int line, String text, Kind kind) implements Node {
    public Scalar {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(kind, "kind");
    }
  }
}
