package io.ax.core.field;

import java.util.Objects;

/**
 * A value given by a user or a peer broke a rule. Carries the name of the field as the caller
 * spelled it ({@code backendips[1]}, {@code --ports}), so every surface (CLI, REST, gRPC) can
 * name the bad value in one line.
 */
public final class InvalidFieldException extends RuntimeException {
  private final String field;

  public InvalidFieldException(String field, String message) {
    super(Objects.requireNonNull(field, "field") + ": " + Objects.requireNonNull(message, "message"));
    this.field = field;
  }

  /** The field as the caller named it. */
  public String field() {
    return field;
  }

  /** The message without the field prefix. */
  public String reason() {
    return getMessage().substring(field.length() + 2);
  }

  /** The same error under another field name: the REST and gRPC layers name fields their way. */
  public InvalidFieldException renamed(String newField) {
    return new InvalidFieldException(newField, reason());
  }
}
