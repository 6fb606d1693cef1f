package io.ax.core.dns;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of the DNS server: what it answered, and every query it dropped or refused and why.
 * Thread-safe (atomic counters); a snapshot is a consistent copy of each counter, not of all.
 */
public final class DnsStats {

  /** What happened to a query. Append-only: dashboards and tests name these. */
  public enum Counter {
    /** A datagram or TCP message arrived. */
    QUERIES_UDP,
    QUERIES_TCP,
    /** Answered from the apps and vservices (A records, or NODATA for other types). */
    LOCAL_ANSWERS,
    /** A name under the domain that no app or vservice has. */
    LOCAL_NXDOMAIN,
    /** Sent to an upstream (a cache miss). */
    FORWARDED,
    /** Answered from the cache of upstream answers. */
    CACHE_HITS,
    /** Every upstream failed or timed out: SERVFAIL. */
    FORWARD_FAILED,
    /** Too many forwards in flight: SERVFAIL. */
    FORWARD_OVERLOADED,
    /** A name outside the domain with no upstream configured: NXDOMAIN. */
    NO_UPSTREAM,
    /** A class other than IN. */
    REFUSED,
    /** A malformed query: bad wire format, not exactly one question, several OPT records. */
    FORMERR,
    /** An opcode other than QUERY, or a meta query type (AXFR, IXFR, MAILA, MAILB). */
    NOTIMP,
    /** An EDNS version other than 0 (RFC 6891 §6.1.3). */
    BADVERS,
    /** A UDP answer too large for the client: sent with TC=1. */
    TRUNCATED,
    /** Fewer than 12 bytes: no header to answer. */
    DROPPED_SHORT,
    /** QR=1: a response, never answered so that two servers cannot ping-pong. */
    DROPPED_RESPONSE,
    /** Too many UDP queries in flight. */
    DROPPED_OVERLOADED,
    /** A TCP connection over the limit, closed at once. */
    TCP_REJECTED,
    /** A TCP connection closed for idleness, or for a zero length prefix. */
    TCP_CLOSED_IDLE,
    /** An answer could not be sent (the client went away). */
    SEND_FAILED,
    /** A bug met on the way: answered SERVFAIL (or dropped without a header) and logged at WARN. */
    INTERNAL_ERRORS,
  }

  /** The counters of which each message handed to the resolver increments exactly one. */
  public static final Set<Counter> OUTCOMES = Collections.unmodifiableSet(EnumSet.of(
      Counter.LOCAL_ANSWERS, Counter.LOCAL_NXDOMAIN, Counter.FORWARDED, Counter.CACHE_HITS, Counter.FORWARD_FAILED,
      Counter.FORWARD_OVERLOADED, Counter.NO_UPSTREAM, Counter.REFUSED, Counter.FORMERR, Counter.NOTIMP, Counter.BADVERS, Counter.DROPPED_SHORT,
      Counter.DROPPED_RESPONSE, Counter.INTERNAL_ERRORS));

  private static final Counter[] ALL = Counter.values();
  private final AtomicLongArray counts = new AtomicLongArray(ALL.length);

  void increment(Counter c) {
    counts.incrementAndGet(c.ordinal());
  }

  /** The current value of one counter. */
  public long get(Counter c) {
    return counts.get(c.ordinal());
  }

  /** Every counter's current value. */
  public Map<Counter, Long> snapshot() {
    Map<Counter, Long> m = new EnumMap<>(Counter.class);
    for (Counter c : ALL) {
      m.put(c, counts.get(c.ordinal()));
    }
    return m;
  }

  /**
   * Counts {@code c} and says whether this is a count worth a WARN: the 1st, 2nd, 4th, 8th...
   * so that a flood of drops cannot turn into a flood of log lines.
   */
  boolean incrementAndShouldWarn(Counter c) {
    long n = counts.incrementAndGet(c.ordinal());
    return Long.bitCount(n) == 1;
  }

  /** The non-zero counters. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    for (Counter c : ALL) {
      long n = counts.get(c.ordinal());
      if (n != 0) {
        b.append(b.length() > 1 ? ", " : "").append(c).append('=').append(n);
      }
    }
    return b.append('}').toString();
  }
}
