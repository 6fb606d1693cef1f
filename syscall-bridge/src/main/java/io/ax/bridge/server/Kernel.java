package io.ax.bridge.server;

import io.ax.bridge.seccomp.Notifier;
import java.util.Objects;

/**
 * Everything a call handler asks of the kernel for one app, from one thread: the trapped
 * process, the daemon's own sockets, and the answers. Made by a {@link CallScope} (or by tests
 * from fakes); confined to the thread that made it, as its parts are.
 */
record Kernel(TargetProcess target, HostSockets sockets, Notifier notifier) {
  Kernel {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(sockets, "sockets");
    Objects.requireNonNull(notifier, "notifier");
  }
}
