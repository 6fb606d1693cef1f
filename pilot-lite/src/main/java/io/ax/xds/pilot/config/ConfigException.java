package io.ax.xds.pilot.config;

/**
 * A config file pilot-lite cannot use: bad YAML, a missing required field, a value of the wrong
 * type or out of range. {@link #getMessage()} is one line, {@code LINE: what is wrong}; the
 * directory watcher prefixes the file name. Checked and cheap: invalid files are expected input.
 */
public final class ConfigException extends Exception {
  private final int line;
  private final String reason;

  public ConfigException(int line, String reason) {
    super(line + ": " + reason, null, false, false);
    this.line = line;
    this.reason = reason;
  }

  /** The 1-based line of the offending node (0 when unknown). */
  public int line() {
    return line;
  }

  /** What is wrong, without the line. */
  public String reason() {
    return reason;
  }
}
