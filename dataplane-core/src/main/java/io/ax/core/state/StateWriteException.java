package io.ax.core.state;

/** A change could not be made durable, so it was not made at all. */
public final class StateWriteException extends RuntimeException {
  public StateWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
