package io.ax.core.lb;

import io.ax.bridge.net.Inet4Endpoint;

/**
 * How many TCP connections this node has open to an address, for least-connections balancing.
 * Implementations read the kernel's count now and then (not per connect) and add the
 * connections the daemon started since. Thread-safe; both methods are quick.
 */
public interface ConnectionCounts {
  /** Open (established or connecting) connections to {@code address}; never negative. */
  int openTo(Inet4Endpoint address);

  /**
   * Open connections to all of {@code addresses} now, as exactly as can be known: for a limit
   * rather than a balance. By default the sum of {@link #openTo}; an implementation that reads
   * the kernel reads it afresh (it may block briefly).
   */
  default int openNow(java.util.Collection<Inet4Endpoint> addresses) {
    int n = 0;
    for (Inet4Endpoint a : addresses) {
      n += openTo(a);
    }
    return n;
  }

  /** A connection to {@code address} is being made now: count it until the kernel's count has it. */
  void connecting(Inet4Endpoint address);

  /** Knows no connections: every count is 0. For daemons that cannot read the kernel's counts. */
  ConnectionCounts NONE = new ConnectionCounts() {
    @Override
    public int openTo(Inet4Endpoint address) {
      return 0;
    }

    @Override
    public void connecting(Inet4Endpoint address) {}
  };
}
