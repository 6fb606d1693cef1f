package io.ax.core.dns;

/** How a query arrived, which bounds the size of its answer. */
public enum Transport {
  /** RFC 1035 §4.2.1: 512 bytes, or the client's EDNS size within our limit; larger answers get TC=1. */
  UDP,
  /** RFC 1035 §4.2.2 and RFC 7766: up to 65535 bytes behind a 2-byte length. */
  TCP
}
