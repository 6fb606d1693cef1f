package io.ax.xds.pilot.config;

import java.util.Objects;

/**
 * Something a config file says that ax does not do as Istio would: a field it does not apply, a
 * field it approximates, an object it skips. One line, naming the object ({@code Kind
 * namespace/name}), the field and what ax does instead.
 *
 * @param level how loudly to report it: a field or object left out is a warning, an
 *     approximation is information
 */
public record Note(Level level, String object, String text) {
  public Note {
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(text, "text");
  }

  /** How a note is logged. */
  public enum Level {
    /** ax approximates what the config asks for; traffic still goes where the user expects. */
    INFO,
    /** Part of the config has no effect: traffic may not go as it would under Istio. */
    WARN
  }

  static Note warn(String object, String text) {
    return new Note(Level.WARN, object, text);
  }

  static Note info(String object, String text) {
    return new Note(Level.INFO, object, text);
  }

  /** {@code Kind namespace/name: text}. */
  @Override
  public String toString() {
    return object + ": " + text;
  }
}
