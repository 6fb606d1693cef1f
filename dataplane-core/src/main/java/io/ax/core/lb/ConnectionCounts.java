package io.ax.core.lb;

import io.ax.core.net.HostPort;

/**
 * How many TCP connections this node has open to an address, for least-connections balancing.
 * Implementations read the kernel's count now and then (not per connect) and add the
 * connections the daemon started since. Thread-safe; both methods are quick.
 */
public interface ConnectionCounts {
  /** Open (established or connecting) connections to {@code address}; never negative. */
  int openTo(HostPort address);

  /** A connection to {@code address} is being made now: count it until the kernel's count has it. */
  void connecting(HostPort address);

  /** Knows no connections: every count is 0. For daemons that cannot read the kernel's counts. */
  ConnectionCounts NONE = new ConnectionCounts() {
    @Override
    public int openTo(HostPort address) {
      return 0;
    }

    @Override
    public void connecting(HostPort address) {}
  };
}
