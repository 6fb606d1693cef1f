package io.ax.core.decision;

import java.util.List;
import java.util.Objects;

/** What a {@code connect()} to a destination should do. */
public sealed interface Decision permits Decision.Connect, Decision.Deny, Decision.Direct {

  /**
   * Dial the targets in order: the first is the load balancer's pick, the rest are tried when a
   * target refuses, before the app hears anything.
   *
   * @param via what was balanced: a vservice name, {@code name/subset}, or an implicit service address
   */
  record Connect(String via, List<Target> targets) implements Decision {
    public Connect {
      Objects.requireNonNull(via, "via");
      targets = List.copyOf(targets);
      if (targets.isEmpty()) {
        throw new IllegalArgumentException("a Connect decision needs at least one target");
      }
    }
  }

  /** Fail the connect with {@code errno}; {@code reason} is for logs, never shown to the app. */
  record Deny(Errno errno, String reason) implements Decision {
    public Deny {
      Objects.requireNonNull(errno, "errno");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The destination is outside the mesh: connect to it as asked. */
  record Direct() implements Decision {}

  Decision DIRECT = new Direct();
}
