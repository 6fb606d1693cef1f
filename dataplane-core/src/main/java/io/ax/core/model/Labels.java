package io.ax.core.model;

import io.ax.core.field.InvalidFieldException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The labels of an app or a service table entry, in the order the user gave them; a key appears
 * once. Labels drive access control: a client reaches a service only when the two share at least
 * one label (same key, same value). Immutable.
 */
public record Labels(Map<String, String> entries) {
  /** What {@code ax run} gives an app without {@code --labels}. */
  public static final Labels DEFAULT = new Labels(Map.of("zone", "default"));
  public static final Labels NONE = new Labels(Map.of());

  // Labels come from command lines and the network: bound them.
  static final int MAX_LABELS = 64;
  static final int MAX_TEXT = 253;

  public Labels {
    Objects.requireNonNull(entries, "entries");
    entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
  }

  /** Parses {@code key=value,key=value}; an empty text means no labels. */
  public static Labels parse(String field, String csv) {
    Objects.requireNonNull(csv, "csv");
    if (csv.isBlank()) {
      return NONE;
    }
    Map<String, String> parsed = new LinkedHashMap<>();
    for (String item : csv.split(",", -1)) {
      String pair = item.strip();
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new InvalidFieldException(field, "'" + pair + "' is not a label (expected key=value)");
      }
      put(field, parsed, pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
    }
    return new Labels(parsed);
  }

  /** Builds labels from key/value pairs, checking them as {@link #parse} does. */
  public static Labels of(String field, List<Map.Entry<String, String>> pairs) {
    Map<String, String> built = new LinkedHashMap<>();
    for (Map.Entry<String, String> p : pairs) {
      put(field, built, p.getKey(), p.getValue());
    }
    return new Labels(built);
  }

  private static void put(String field, Map<String, String> into, String key, String value) {
    if (key.isEmpty() || key.length() > MAX_TEXT || value.length() > MAX_TEXT) {
      throw new InvalidFieldException(field, "label '" + key + "' must have a key of 1-" + MAX_TEXT + " characters and a value of at most " + MAX_TEXT);
    }
    if (into.putIfAbsent(key, value) != null) {
      throw new InvalidFieldException(field, "label key '" + key + "' is given twice");
    }
    if (into.size() > MAX_LABELS) {
      throw new InvalidFieldException(field, "at most " + MAX_LABELS + " labels are allowed");
    }
  }

  /** True when the two share at least one key=value pair: the label ACL. */
  public boolean sharesAnyWith(Labels other) {
    Map<String, String> small = entries.size() <= other.entries.size() ? entries : other.entries;
    Map<String, String> large = small == entries ? other.entries : entries;
    for (Map.Entry<String, String> e : small.entrySet()) {
      if (e.getValue().equals(large.get(e.getKey()))) {
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public List<Map.Entry<String, String>> asList() {
    return new ArrayList<>(entries.entrySet());
  }

  /** {@code role=prod,zone=default}, as {@code --labels} takes it. */
  @Override
  public String toString() {
    return entries.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
  }
}
