package io.ax.xds.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A {@link HostResolver} that asks DNS servers directly (dnsjava), so that it sees the records'
 * TTLs, as Envoy's c-ares resolver does; the JDK's {@code InetAddress} hides them behind its own
 * cache. The name is taken as fully qualified: no search domains, no {@code /etc/hosts} (istiod
 * writes STRICT_DNS hosts as the ServiceEntry spells them, normally fully qualified). Thread-safe.
 */
public final class DnsJavaResolver implements HostResolver {
  /** The TTL of an answer without records and without an SOA to say how long (RFC 2308 suggests caching NXDOMAIN; 30 s is short enough to notice a new record soon). */
  static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(30);
  /** Per query; c-ares' default timeout is 5 s with retries, a refresh comes again anyway. */
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  private final Resolver resolver;

  private DnsJavaResolver(Resolver resolver) {
    this.resolver = resolver;
  }

  /** Asks {@code servers} in turn (as {@code ax daemon --dns-servers} does); none means the system's (/etc/resolv.conf). */
  public static DnsJavaResolver create(List<InetSocketAddress> servers) {
    Objects.requireNonNull(servers, "servers");
    List<InetSocketAddress> use = servers.isEmpty() ? ResolverConfig.getCurrentConfig().servers() : servers;
    if (use.isEmpty()) {
      throw new IllegalArgumentException("no DNS server: none given and none in /etc/resolv.conf");
    }
    List<Resolver> each = new ArrayList<>();
    for (InetSocketAddress s : use) {
      SimpleResolver r = new SimpleResolver(s);
      r.setTimeout(TIMEOUT);
      each.add(r);
    }
    ExtendedResolver r = new ExtendedResolver(each);
    r.setTimeout(TIMEOUT);
    return new DnsJavaResolver(r);
  }

  @Override
  public Answer resolve(String host) throws IOException {
    Name name;
    try {
      name = Name.fromString(host.endsWith(".") ? host : host + ".");
    } catch (TextParseException e) {
      throw new IOException("host " + host + " is not a DNS name: " + e.getMessage(), e);
    }
    Message response = resolver.send(Message.newQuery(Record.newRecord(name, Type.A, DClass.IN)));
    int rcode = response.getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
      throw new IOException("DNS answered " + Rcode.string(rcode) + " for " + host);
    }
    List<String> ips = new ArrayList<>();
    long ttl = Long.MAX_VALUE;
    // A CNAME chain comes with the A records of its target in the same answer section.
    for (Record r : response.getSection(Section.ANSWER)) {
      if (r instanceof ARecord a) {
        ips.add(a.getAddress().getHostAddress());
        ttl = Math.min(ttl, a.getTTL());
      }
    }
    if (ips.isEmpty()) {
      Duration negative = DEFAULT_NEGATIVE_TTL;
      for (Record r : response.getSection(Section.AUTHORITY)) {
        if (r instanceof SOARecord soa) {
          // RFC 2308 section 5: the negative TTL is the smaller of the SOA's TTL and its MINIMUM.
          negative = Duration.ofSeconds(Math.min(soa.getTTL(), soa.getMinimum()));
        }
      }
      return new Answer(List.of(), negative);
    }
    return new Answer(ips, Duration.ofSeconds(ttl));
  }
}
