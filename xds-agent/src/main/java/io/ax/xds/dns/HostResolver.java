package io.ax.xds.dns;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Resolves a host name to its IPv4 addresses, as Envoy's resolver does for a STRICT_DNS cluster.
 * Implementations block and are thread-safe; {@link DnsRefresher} calls them off its executor.
 */
public interface HostResolver {
  /**
   * The A records of {@code host}. A name that does not exist, or has no A record, is an answer
   * with no addresses (Envoy then drops the cluster's hosts); a failure to get an answer at all
   * (timeout, SERVFAIL) is an {@link IOException} (Envoy then keeps the hosts it had).
   */
  Answer resolve(String host) throws IOException;

  /**
   * @param ipv4 the addresses, sorted, without duplicates
   * @param ttl how long the answer holds: the smallest TTL of its records (for no records, the
   *     negative-caching TTL of RFC 2308, or a default)
   */
  record Answer(List<String> ipv4, Duration ttl) {
    public Answer {
      ipv4 = ipv4.stream().distinct().sorted().toList();
      Objects.requireNonNull(ttl, "ttl");
    }
  }
}
