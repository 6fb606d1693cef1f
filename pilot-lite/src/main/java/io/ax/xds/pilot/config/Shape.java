package io.ax.xds.pilot.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The shape Istio's (or Kubernetes') API gives a value, and for each field what ax does with it.
 * {@link FieldCheck} walks a document against it: a field the shape does not have is refused, as
 * kubectl's strict validation refuses it; a field ax does not apply or approximates gets a
 * {@link Note}. Values are checked by the kind parsers, which know what they need.
 */
sealed interface Shape {
  /** A mapping of named fields; any other key is an unknown field. Fields in Istio's order. */
  record Fields(Map<String, Field> fields) implements Shape {
    public Fields {
      fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }
  }

  /** A list of values of one shape. */
  record ListOf(Shape item) implements Shape {
    public ListOf {
      Objects.requireNonNull(item, "item");
    }
  }

  /** A mapping whose keys the user chooses (labels, header names) with values of one shape. */
  record MapOf(Shape value) implements Shape {
    public MapOf {
      Objects.requireNonNull(value, "value");
    }
  }

  /** A string, number or boolean. */
  record Scalar() implements Shape {}

  /**
   * Anything: the inside of a field ax does not read at all (fault injection, CORS...). Checking
   * it would refuse Istio's newer fields for no gain, since none of it changes what ax does.
   */
  record Any() implements Shape {}

  /** A field: its shape and what ax does with it. */
  record Field(Shape shape, Use use) {
    public Field {
      Objects.requireNonNull(shape, "shape");
      Objects.requireNonNull(use, "use");
    }
  }

  /** What ax does with a field. */
  sealed interface Use {
    /** Read and applied as Istio applies it (or passed on in xDS as istiod would). */
    record Applied(String how) implements Use {
      public Applied {
        Objects.requireNonNull(how, "how");
      }

      Applied() {
        this("");
      }
    }

    /** Applied in a different way, said in {@code how}; noted at INFO. */
    record Approximated(String how) implements Use {}

    /**
     * Not applied; {@code instead} says what happens instead. Noted at WARN, except for the
     * {@code quiet} values, which ask for what ax does anyway (e.g. {@code sessionAffinity: None}).
     */
    record NotApplied(String instead, Set<String> quiet) implements Use {
      public NotApplied {
        Objects.requireNonNull(instead, "instead");
        quiet = Set.copyOf(quiet);
      }
    }

    /** Not configuration (metadata.uid, status...): accepted without a note. */
    record Bookkeeping() implements Use {}
  }

  // The builders the field tables of IstioFields are written with.

  Shape SCALAR = new Scalar();
  Shape ANY = new Any();
  Shape STRINGS = new ListOf(SCALAR);
  Shape STRING_MAP = new MapOf(SCALAR);

  @SafeVarargs
  static Fields fields(Map.Entry<String, Field>... fields) {
    Map<String, Field> m = new LinkedHashMap<>();
    for (Map.Entry<String, Field> f : fields) {
      if (m.put(f.getKey(), f.getValue()) != null) {
        throw new IllegalArgumentException("field " + f.getKey() + " is listed twice");
      }
    }
    return new Fields(m);
  }

  static ListOf listOf(Shape item) {
    return new ListOf(item);
  }

  static MapOf mapOf(Shape value) {
    return new MapOf(value);
  }

  static Map.Entry<String, Field> applied(String name, Shape shape) {
    return Map.entry(name, new Field(shape, new Use.Applied()));
  }

  /** Applied, with {@code how} for the README's table (nothing is noted). */
  static Map.Entry<String, Field> applied(String name, Shape shape, String how) {
    return Map.entry(name, new Field(shape, new Use.Applied(how)));
  }

  static Map.Entry<String, Field> approximated(String name, Shape shape, String how) {
    return Map.entry(name, new Field(shape, new Use.Approximated(how)));
  }

  static Map.Entry<String, Field> notApplied(String name, Shape shape, String instead, String... quiet) {
    return Map.entry(name, new Field(shape, new Use.NotApplied(instead, Set.of(quiet))));
  }

  static Map.Entry<String, Field> bookkeeping(String name, Shape shape) {
    return Map.entry(name, new Field(shape, new Use.Bookkeeping()));
  }

  /** The names of a shape's fields, for messages. */
  static List<String> names(Fields f) {
    return List.copyOf(f.fields().keySet());
  }
}
