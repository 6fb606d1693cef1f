package io.ax.xds.pilot;

/** pilot-lite cannot start: a missing config directory, a port in use. The message is one line. */
public final class PilotException extends Exception {
  public PilotException(String message, Throwable cause) {
    super(message, cause);
  }

  public PilotException(String message) {
    super(message);
  }
}
