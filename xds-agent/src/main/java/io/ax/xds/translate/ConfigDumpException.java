package io.ax.xds.translate;

/** A config dump file that cannot be read at all; the message is one line naming the file. */
public final class ConfigDumpException extends Exception {
  public ConfigDumpException(String message) {
    super(message);
  }

  public ConfigDumpException(String message, Throwable cause) {
    super(message, cause);
  }
}
