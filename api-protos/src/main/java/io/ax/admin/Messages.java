package io.ax.admin;

import java.util.Objects;

/**
 * Error text for places that promise one line: the admin API's reasons ({@code RejectedVService}),
 * the agent's WARN logs, and the CLI's stderr. Pure functions.
 */
public final class Messages {
  private Messages() {}

  /**
   * {@code text} on one line: each line break, with the blanks around it, becomes one space, and
   * the ends are stripped. Nothing is dropped, so a multi-line reason keeps its detail.
   */
  public static String oneLine(String text) {
    Objects.requireNonNull(text, "text");
    return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }

  /** The exception's message on one line, or its class's simple name when it has no message. */
  public static String oneLine(Throwable t) {
    Objects.requireNonNull(t, "t");
    return t.getMessage() == null ? t.getClass().getSimpleName() : oneLine(t.getMessage());
  }
}
