package io.ax.core.dns;

/**
 * How a DNS query arrived, which bounds the size of its answer. Not a socket's transport (the
 * bridge's {@code SocketPolicy.Transport}, which the service table keeps): this one carries the
 * DNS message-size rules and lives and dies with one query; it is never persisted or sent.
 */
public enum QueryTransport {
  /** RFC 1035 §4.2.1: 512 bytes, or the client's EDNS size within our limit; larger answers get TC=1. */
  UDP,
  /** RFC 1035 §4.2.2 and RFC 7766: up to 65535 bytes behind a 2-byte length. */
  TCP
}
