package io.ax.core.state;

import java.util.Objects;

/**
 * A change the store refused because of other resources: the name is taken, the resource is
 * missing, or it would clash with another one. Each surface maps {@link Kind} to its own code
 * (gRPC status, HTTP status, CLI exit line).
 */
public final class ResourceException extends RuntimeException {
  public enum Kind {
    ALREADY_EXISTS,
    NOT_FOUND,
    CONFLICT
  }

  private final Kind kind;

  public ResourceException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }
}
