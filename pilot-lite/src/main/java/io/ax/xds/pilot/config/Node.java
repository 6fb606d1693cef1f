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

  /**
   * A mapping, keys in file order.
   *
   * @param keyLines the line of each key, which for a nested mapping is not its value's line:
   *     an unknown field is reported where its name is written
   */
  record Obj(int line, Map<String, Node> fields, Map<String, Integer> keyLines) implements Node {
    public Obj {
      fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
      keyLines = Map.copyOf(keyLines);
    }

    public Obj(int line, Map<String, Node> fields) {
      this(line, fields, Map.of());
    }

    /** The line of {@code key}'s name (its value's line when not recorded). */
    public int keyLine(String key) {
      Integer l = keyLines.get(key);
      return l != null ? l : fields.get(key).line();
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
