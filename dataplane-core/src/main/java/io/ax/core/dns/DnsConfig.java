package io.ax.core.dns;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.net.Ipv4;
import io.ax.core.net.Ports;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The built-in DNS server's configuration: where it listens, the domain whose names it owns
 * ({@code --dns-domain}), the upstream servers it forwards other names to ({@code --dns-servers})
 * and its limits. Immutable; the constructor validates, so an invalid config cannot exist.
 *
 * @param listen the UDP and TCP address to serve on (the daemon passes the node's IP and port 53;
 *     port 0 lets the kernel choose, for tests)
 * @param domain the lower-case domain without trailing dot, e.g. {@code appswitch.local}
 * @param upstreams forwarders tried in order; empty means names outside the domain get NXDOMAIN
 */
public record DnsConfig(InetSocketAddress listen, String domain, List<InetSocketAddress> upstreams, Limits limits) {
  public static final String DEFAULT_DOMAIN = "appswitch.local";
  /** RFC 1035 §4.2: DNS is served on port 53 over both UDP and TCP. */
  public static final int DEFAULT_PORT = 53;
  /** The port of an upstream given as a bare IP. */
  public static final int UPSTREAM_PORT = 53;
  /** glibc reads 3 name servers (MAXNS); a few more leave room, and every extra one adds a timeout to a failure. */
  static final int MAX_UPSTREAMS = 8;
  // RFC 1123 labels joined by dots, lower case (the constructor lower-cases first).
  private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
  /** RFC 1035 §2.3.4: 255 octets on the wire, 253 characters in text. */
  private static final int MAX_DOMAIN = 253;

  public DnsConfig {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(limits, "limits");
    upstreams = List.copyOf(upstreams);
    domain = checkDomain(domain);
    if (listen.isUnresolved()) {
      throw new InvalidFieldException("listen", "'" + listen + "' is not an IP address");
    }
    if (upstreams.size() > MAX_UPSTREAMS) {
      throw new InvalidFieldException("upstreams", "at most " + MAX_UPSTREAMS + " servers are allowed, got " + upstreams.size());
    }
  }

  /** A config with the default limits; {@code serversCsv} as {@code --dns-servers} takes it (empty for none). */
  public static DnsConfig of(InetSocketAddress listen, String domain, String serversCsv) {
    return new DnsConfig(listen, domain, parseServers("--dns-servers", serversCsv), Limits.DEFAULTS);
  }

  public DnsConfig withLimits(Limits next) {
    return new DnsConfig(listen, domain, upstreams, next);
  }

  /**
   * Parses a csv of {@code IP[:port]} items ({@code 127.0.0.1:5533,8.8.8.8}); the port defaults to
   * 53. Blank items between commas are refused, a blank csv is no servers.
   *
   * @throws InvalidFieldException naming {@code field} and the bad item
   */
  public static List<InetSocketAddress> parseServers(String field, String csv) {
    Objects.requireNonNull(field, "field");
    if (csv == null || csv.isBlank()) {
      return List.of();
    }
    List<InetSocketAddress> out = new ArrayList<>();
    for (String raw : csv.split(",", -1)) {
      String item = raw.strip();
      if (item.isEmpty()) {
        throw new InvalidFieldException(field, "empty item in '" + csv + "' (expected IP[:port],...)");
      }
      int colon = item.indexOf(':');
      if (colon != item.lastIndexOf(':')) {
        throw new InvalidFieldException(field, "'" + item + "' is not IP[:port] (IPv6 servers are not supported)");
      }
      String host = colon < 0 ? item : item.substring(0, colon);
      InetSocketAddress server;
      try {
        Ipv4 ip = Ipv4.parse(field, host);
        int port = colon < 0 ? UPSTREAM_PORT : Ports.parse(field, item.substring(colon + 1));
        server = new InetSocketAddress(InetAddress.getByAddress(ip.toBytes()), port);
      } catch (InvalidFieldException e) {
        throw new InvalidFieldException(field, "'" + item + "' is not IP[:port]: " + e.reason());
      } catch (UnknownHostException e) {
        throw new IllegalStateException("4 bytes are always an address", e);
      }
      if (out.contains(server)) {
        throw new InvalidFieldException(field, "'" + item + "' is listed twice");
      }
      out.add(server);
      if (out.size() > MAX_UPSTREAMS) {
        throw new InvalidFieldException(field, "at most " + MAX_UPSTREAMS + " servers are allowed, '" + item + "' is one too many");
      }
    }
    return List.copyOf(out);
  }

  private static String checkDomain(String domain) {
    String d = domain.strip().toLowerCase(Locale.ROOT);
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    if (d.isEmpty() || d.length() > MAX_DOMAIN || !DOMAIN.matcher(d).matches()) {
      throw new InvalidFieldException("--dns-domain", "'" + domain + "' is not a domain name (expected labels of letters, digits and '-' joined by '.')");
    }
    return d;
  }

  /**
   * Hard limits on what comes off the network, and the TTLs the server gives and keeps.
   *
   * @param maxUdpMessage the answer size for a UDP client without EDNS
   * @param maxEdnsMessage the largest UDP answer, whatever size an EDNS client offers
   * @param maxTcpMessage the largest message over TCP, in either direction
   * @param maxTcpConnections open TCP connections; one more is closed at once
   * @param tcpIdleTimeout a TCP connection with no complete query for this long is closed
   * @param maxInFlightQueries UDP queries being answered at once; one more is dropped
   * @param maxInFlightForwards queries waiting on an upstream at once; one more gets SERVFAIL
   * @param forwardTimeout how long to wait for one upstream before trying the next
   * @param cacheBytes total wire size of the cached upstream answers
   * @param minTtl the shortest time an upstream answer is cached
   * @param maxTtl the longest time a positive upstream answer is cached
   * @param maxNegativeTtl the longest time an NXDOMAIN or NODATA answer is cached
   * @param localTtl the TTL of answers about apps and vservices, and of the domain's SOA
   */
  public record Limits(
      int maxUdpMessage,
      int maxEdnsMessage,
      int maxTcpMessage,
      int maxTcpConnections,
      Duration tcpIdleTimeout,
      int maxInFlightQueries,
      int maxInFlightForwards,
      Duration forwardTimeout,
      long cacheBytes,
      Duration minTtl,
      Duration maxTtl,
      Duration maxNegativeTtl,
      Duration localTtl) {

    public static final Limits DEFAULTS = new Limits(
        // RFC 1035 §4.2.1: without EDNS a UDP message is at most 512 octets.
        512,
        // DNS flag day 2020: 1232 octets fit an IPv6 minimum MTU of 1280 without fragmentation.
        1232,
        // RFC 1035 §4.2.2: the TCP length prefix is 16 bits.
        65535,
        // Resolvers open a TCP connection only after a TC answer; a few hundred covers a node, and
        // bounds the threads and buffers an attacker can hold.
        256,
        // RFC 7766 §6.2.3 suggests idle timeouts of the order of seconds.
        Duration.ofSeconds(10),
        // Local answers take microseconds; this bounds the threads a UDP flood can start.
        1024,
        // Forwards wait up to forwardTimeout × upstreams; this bounds the sockets they hold.
        256,
        // glibc's default per-server timeout is 5 s (resolv.conf timeout:); 2 s leaves the client
        // time to see our answer (or try its next server) before it gives up itself.
        Duration.ofSeconds(2),
        // A typical answer is 100-500 bytes: tens of thousands of names in 8 MiB.
        8L * 1024 * 1024,
        // Honour the upstream's TTL, including 0 = do not cache (RFC 1035 §3.2.1).
        Duration.ZERO,
        // Bounds how long a changed or spoofed record can outlive its source (RFC 8767 uses a day; we are a stub).
        Duration.ofHours(1),
        // RFC 2308 §5 suggests 1-3 hours at most; a mesh's names come and go, so less.
        Duration.ofMinutes(5),
        // Apps come and go; a short TTL keeps clients from holding a departed app's address.
        Duration.ofSeconds(5));

    public Limits {
      Objects.requireNonNull(tcpIdleTimeout, "tcpIdleTimeout");
      Objects.requireNonNull(forwardTimeout, "forwardTimeout");
      Objects.requireNonNull(minTtl, "minTtl");
      Objects.requireNonNull(maxTtl, "maxTtl");
      Objects.requireNonNull(maxNegativeTtl, "maxNegativeTtl");
      Objects.requireNonNull(localTtl, "localTtl");
      if (maxUdpMessage < 512 || maxEdnsMessage < maxUdpMessage || maxTcpMessage < maxEdnsMessage || maxTcpMessage > 65535) {
        throw new IllegalArgumentException(
            "limits: expected 512 <= maxUdpMessage <= maxEdnsMessage <= maxTcpMessage <= 65535, got "
                + maxUdpMessage + ", " + maxEdnsMessage + ", " + maxTcpMessage);
      }
      if (maxTcpConnections < 1 || maxInFlightQueries < 1 || maxInFlightForwards < 1 || cacheBytes < 0) {
        throw new IllegalArgumentException("limits: connection, query and forward counts must be positive and cacheBytes not negative");
      }
      if (tcpIdleTimeout.isNegative() || tcpIdleTimeout.isZero() || forwardTimeout.isNegative() || forwardTimeout.isZero()) {
        throw new IllegalArgumentException("limits: tcpIdleTimeout and forwardTimeout must be positive");
      }
      if (minTtl.isNegative() || maxTtl.compareTo(minTtl) < 0 || maxNegativeTtl.isNegative() || localTtl.isNegative()) {
        throw new IllegalArgumentException("limits: expected 0 <= minTtl <= maxTtl, and maxNegativeTtl and localTtl not negative");
      }
    }

    public Limits withMaxTcpConnections(int n) {
      return new Limits(maxUdpMessage, maxEdnsMessage, maxTcpMessage, n, tcpIdleTimeout, maxInFlightQueries, maxInFlightForwards,
          forwardTimeout, cacheBytes, minTtl, maxTtl, maxNegativeTtl, localTtl);
    }

    public Limits withTimeouts(Duration tcpIdle, Duration forward) {
      return new Limits(maxUdpMessage, maxEdnsMessage, maxTcpMessage, maxTcpConnections, tcpIdle, maxInFlightQueries, maxInFlightForwards,
          forward, cacheBytes, minTtl, maxTtl, maxNegativeTtl, localTtl);
    }

    public Limits withTtls(Duration min, Duration max, Duration maxNegative) {
      return new Limits(maxUdpMessage, maxEdnsMessage, maxTcpMessage, maxTcpConnections, tcpIdleTimeout, maxInFlightQueries,
          maxInFlightForwards, forwardTimeout, cacheBytes, min, max, maxNegative, localTtl);
    }
  }
}
