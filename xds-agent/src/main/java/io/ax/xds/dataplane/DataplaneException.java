package io.ax.xds.dataplane;

/** The target could not be reached or refused the whole push; the message is one line. */
public final class DataplaneException extends Exception {
  public DataplaneException(String message, Throwable cause) {
    super(message, cause);
  }

  public DataplaneException(String message) {
    super(message);
  }
}
