package io.ax.core.dns;

import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The answers this server gives with authority: names of apps and vservices under the domain,
 * and vservice hostnames wherever they are.
 * A records carry {@link DnsConfig.Limits#localTtl()}; other types of an existing name are NODATA
 * and unknown names under the domain NXDOMAIN, both with a synthesized SOA for the domain whose
 * TTL and MINIMUM are the local TTL (RFC 2308 §3), and whose serial is the state's version.
 *
 * <p>Thread-safe: the {@link NameTable} is rebuilt when the state snapshot changes (identity) and
 * swapped through an {@link AtomicReference}; two threads may build the same table at once, which
 * is harmless.
 */
final class LocalZone {
  /** What {@link #answer} did. */
  enum Outcome {
    /** A name of ours: A records, or NODATA with the SOA. */
    ANSWERED,
    /** Under the domain, but nobody has that name: NXDOMAIN with the SOA. */
    NXDOMAIN,
    /** Not ours: the response is untouched. */
    NOT_OURS
  }

  private record Names(DataplaneState state, NameTable table) {}

  private final DnsConfig config;
  private final Supplier<DataplaneState> state;
  private final Name domain;
  private final AtomicReference<Names> names = new AtomicReference<>();

  LocalZone(DnsConfig config, Supplier<DataplaneState> state) {
    this.config = Objects.requireNonNull(config, "config");
    this.state = Objects.requireNonNull(state, "state");
    try {
      this.domain = Name.fromString(config.domain() + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("domain: '" + config.domain() + "' is not a DNS name", e);
    }
  }

  /** Adds the answer to {@code question} to {@code response} (AA set) if the name is ours. */
  Outcome answer(Record question, Message response) {
    String name = question.getName().toString();
    Names current = names();
    NameTable table = current.table();
    List<Ipv4> ips = table.lookup(name);
    int qtype = question.getType();
    if (!ips.isEmpty() || table.exists(name)) {
      response.getHeader().setFlag(Flags.AA);
      if (qtype == Type.A || qtype == Type.ANY) {
        for (Ipv4 ip : ips) {
          response.addRecord(new ARecord(question.getName(), DClass.IN, config.limits().localTtl().toSeconds(), address(ip)), Section.ANSWER);
        }
      } else if (qtype == Type.SOA && question.getName().equals(domain)) {
        response.addRecord(soa(current.state()), Section.ANSWER);
      }
      if (response.getSection(Section.ANSWER).isEmpty()) {
        response.addRecord(soa(current.state()), Section.AUTHORITY);
      }
      return Outcome.ANSWERED;
    }
    if (table.inDomain(name)) {
      response.getHeader().setFlag(Flags.AA);
      response.addRecord(soa(current.state()), Section.AUTHORITY);
      return Outcome.NXDOMAIN;
    }
    return Outcome.NOT_OURS;
  }

  private Names names() {
    DataplaneState s = state.get();
    Names current = names.get();
    if (current == null || current.state() != s) {
      current = new Names(s, NameTable.of(s, config.domain()));
      names.set(current);
    }
    return current;
  }

  private SOARecord soa(DataplaneState s) {
    long ttl = config.limits().localTtl().toSeconds();
    try {
      return new SOARecord(domain, DClass.IN, ttl, Name.fromString("ns", domain), Name.fromString("hostmaster", domain),
          s.version() & 0xffffffffL, 3600, 600, 86400, ttl);
    } catch (TextParseException e) {
      throw new IllegalStateException("'ns' and 'hostmaster' are valid labels", e);
    }
  }

  private static InetAddress address(Ipv4 ip) {
    try {
      return InetAddress.getByAddress(ip.toBytes());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always an address", e);
    }
  }
}
