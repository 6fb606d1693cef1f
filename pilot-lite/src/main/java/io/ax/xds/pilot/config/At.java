package io.ax.xds.pilot.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node and its path in the document ({@code spec.ports[0].port}): typed accessors that fail
 * with a {@link ConfigException} naming the line, the path, the bad value and what was expected.
 */
final class At {
  private final Node node;
  private final String path;

  private At(Node node, String path) {
    this.node = node;
    this.path = path;
  }

  static At root(Node node) {
    return new At(node, "");
  }

  Node node() {
    return node;
  }

  int line() {
    return node.line();
  }

  String path() {
    return path;
  }

  ConfigException error(String reason) {
    return new ConfigException(node.line(), (path.isEmpty() ? "" : path + ": ") + reason);
  }

  private String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private Node.Obj obj() throws ConfigException {
    if (node instanceof Node.Obj o) {
      return o;
    }
    throw error("expected a mapping, got " + describe(node));
  }

  /** The field, absent when missing or null. */
  Optional<At> opt(String key) throws ConfigException {
    Node n = obj().fields().get(key);
    if (n == null || (n instanceof Node.Scalar s && s.kind() == Node.Kind.NULL)) {
      return Optional.empty();
    }
    return Optional.of(new At(n, child(key)));
  }

  At req(String key) throws ConfigException {
    Optional<At> a = opt(key);
    if (a.isEmpty()) {
      throw new ConfigException(node.line(), child(key) + " is required");
    }
    return a.get();
  }

  boolean has(String key) throws ConfigException {
    return opt(key).isPresent();
  }

  /** The keys and values of a mapping, in file order. */
  List<Map.Entry<String, At>> entries() throws ConfigException {
    List<Map.Entry<String, At>> out = new ArrayList<>();
    for (Map.Entry<String, Node> e : obj().fields().entrySet()) {
      out.add(Map.entry(e.getKey(), new At(e.getValue(), child(e.getKey()))));
    }
    return out;
  }

  List<At> list() throws ConfigException {
    if (!(node instanceof Node.Seq s)) {
      throw error("expected a list, got " + describe(node));
    }
    List<At> out = new ArrayList<>(s.items().size());
    for (int i = 0; i < s.items().size(); i++) {
      out.add(new At(s.items().get(i), path + "[" + i + "]"));
    }
    return out;
  }

  /** A scalar's text; numbers and booleans are accepted as their text (label values often are). */
  String string() throws ConfigException {
    if (node instanceof Node.Scalar s && s.kind() != Node.Kind.NULL) {
      return s.text();
    }
    throw error("expected a string, got " + describe(node));
  }

  /** A non-empty string. */
  String name() throws ConfigException {
    String s = string().strip();
    if (s.isEmpty()) {
      throw error("must not be empty");
    }
    return s;
  }

  int integer(long min, long max) throws ConfigException {
    if (node instanceof Node.Scalar s && (s.kind() == Node.Kind.NUMBER || s.kind() == Node.Kind.STRING)) {
      try {
        long v = Long.parseLong(s.text().strip());
        if (v >= min && v <= max) {
          return (int) v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw error("expected a whole number " + min + "-" + max + ", got " + describe(node));
  }

  int port() throws ConfigException {
    return integer(1, 65535);
  }

  /** One of {@code allowed} (as written in Istio's API), case-sensitive like Istio's. */
  <E extends Enum<E>> E enumValue(Class<E> type, List<String> allowed) throws ConfigException {
    String v = string();
    if (!allowed.contains(v)) {
      throw error("unknown value '" + v + "' (expected one of " + String.join(", ", allowed) + ")");
    }
    return Enum.valueOf(type, v);
  }

  /** A mapping of strings to strings, such as labels or a selector. */
  Map<String, String> stringMap() throws ConfigException {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, At> e : entries()) {
      out.put(e.getKey(), e.getValue().string());
    }
    return out;
  }

  /** The list at {@code key}, empty when the field is missing. */
  List<At> optList(String key) throws ConfigException {
    Optional<At> a = opt(key);
    return a.isPresent() ? a.get().list() : List.of();
  }

  /** The string map at {@code key}, empty when the field is missing. */
  Map<String, String> optStringMap(String key) throws ConfigException {
    Optional<At> a = opt(key);
    return a.isPresent() ? a.get().stringMap() : Map.of();
  }

  /** The string at {@code key}, or {@code otherwise} when the field is missing. */
  String optString(String key, String otherwise) throws ConfigException {
    Optional<At> a = opt(key);
    return a.isPresent() ? a.get().string() : otherwise;
  }

  List<String> stringList() throws ConfigException {
    List<String> out = new ArrayList<>();
    for (At a : list()) {
      out.add(a.name());
    }
    return out;
  }

  static String describe(Node n) {
    return switch (n) {
      case Node.Obj o -> "a mapping";
      case Node.Seq s -> "a list";
      case Node.Scalar s when s.kind() == Node.Kind.NULL -> "nothing";
      case Node.Scalar s -> "'" + (s.text().length() > 60 ? s.text().substring(0, 60) + "..." : s.text()) + "'";
    };
  }
}
