package io.ax.bridge.server;

/**
 * Which fd numbers of an app its seccomp filter traps {@code sendmsg} and {@code sendmmsg} on
 * (the launcher's {@code filter.c}, which the launcher tells the daemon about as {@code fdbase} in
 * its registration). A BPF filter sees the fd number, never what it names, so the daemon keeps
 * every datagram socket it makes at a number in the range, and the filter lets those calls run
 * natively below it: a TCP socket's {@code sendmsg} (gRPC's writes) never waits on the daemon.
 * Immutable.
 */
sealed interface FdRange {

  /**
   * A launcher that said nothing of a range: its filter traps every {@code sendmsg}, so a
   * datagram socket may take any number (the kernel's lowest free one).
   */
  record Everywhere() implements FdRange {}

  /**
   * The filter traps {@code sendmsg}/{@code sendmmsg} at numbers {@code >= base}, and copies of an
   * fd from there to below it (dup, dup2, dup3, fcntl F_DUPFD).
   */
  record From(int base) implements FdRange {
    public From {
      if (base < 1) {
        throw new IllegalArgumentException("fd range base " + base + ": must be at least 1");
      }
    }

    boolean contains(long fd) {
      return fd >= base;
    }
  }
}
