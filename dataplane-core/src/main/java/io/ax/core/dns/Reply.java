package io.ax.core.dns;

import java.util.Objects;

/** What the resolver makes of one incoming message: bytes to send back, or nothing. */
public sealed interface Reply {

  /** A response in wire format, already sized for the transport (TC=1 if it was cut for UDP). */
  record Answer(byte[] wire) implements Reply {
    public Answer {
      Objects.requireNonNull(wire, "wire");
    }
  }

  /** No response: the input had no header to answer, or answering would be harmful. */
  record Drop(DnsStats.Counter reason) implements Reply {
    public Drop {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
