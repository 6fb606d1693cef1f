package io.ax.cli;

/** A failure to report to the user as one line on stderr, with a non-zero exit. */
final class CliException extends RuntimeException {
  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
