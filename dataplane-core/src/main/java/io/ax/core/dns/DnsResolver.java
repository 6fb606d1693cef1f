package io.ax.core.dns;

import com.github.benmanes.caffeine.cache.Ticker;
import io.ax.core.state.DataplaneState;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The DNS logic without sockets: one query in wire format in, one {@link Reply} out.
 *
 * <ul>
 *   <li>Names of apps and vservices ({@link LocalZone}): A records, authoritative. Any other
 *       type of an existing name is NODATA (NOERROR, no answer, the domain's SOA in authority);
 *       an unknown name under the domain is NXDOMAIN with the SOA, so clients cache it briefly
 *       (RFC 2308).
 *   <li>Other names go to the {@link Forwarder}, through a {@link ForwardCache}. With no upstream
 *       configured they get <b>NXDOMAIN</b>: for a mesh without upstream the name does not exist,
 *       and apps whose only nameserver is the daemon ({@code ax run --dns-override}) hear "not
 *       known" at once; REFUSED or SERVFAIL would read to glibc as a temporary failure, retried.
 *       Upstream failures and too many forwards in flight get SERVFAIL (never cached).
 *   <li>Hostile or odd input (RFC 1035 §4.1, RFC 6891, RFC 9619): under 12 bytes is dropped (no
 *       ID to answer); QR=1 is dropped, since answering a response lets two servers ping-pong; an
 *       opcode other than QUERY gets NOTIMP; not exactly one question, a message dnsjava cannot
 *       parse (truncation, compression pointers that do not point backwards, names over 255
 *       bytes), several OPT records or a meta type as question get FORMERR; EDNS version other
 *       than 0 gets BADVERS; a class other than IN or ANY gets REFUSED. Each is counted in
 *       {@link DnsStats} and logged at DEBUG. Nothing is thrown out; memory is bounded by the
 *       message size, the cache's byte budget and the forward semaphore.
 * </ul>
 *
 * <p>Answers over UDP are cut to 512 bytes, or to the client's EDNS size within
 * {@link DnsConfig.Limits#maxEdnsMessage()}, with TC=1 so the client retries over TCP. TSIG on
 * queries is ignored (answers are unsigned) and AD is never set: this server does not validate.
 *
 * <p>Thread-safe: local names come from {@link LocalZone} (an immutable table per snapshot), the
 * cache is Caffeine; forwards block the calling (virtual) thread.
 */
public final class DnsResolver {
  private static final Logger log = LoggerFactory.getLogger(DnsResolver.class);
  private static final int HEADER = 12;
  private static final int QR = 0x8000;
  private static final int RD = 0x0100;

  private final DnsConfig config;
  private final Forwarder forwarder;
  private final DnsStats stats;
  private final ForwardCache cache;
  private final Semaphore forwards;
  private final LocalZone zone;

  /**
   * @param state the current snapshot, read once per query
   * @param forwarder used only when {@code config} has upstreams
   * @param ticker the cache's clock ({@link Ticker#systemTicker()} outside tests)
   */
  public DnsResolver(DnsConfig config, Supplier<DataplaneState> state, Forwarder forwarder, Ticker ticker, DnsStats stats) {
    this.config = Objects.requireNonNull(config, "config");
    this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
    this.stats = Objects.requireNonNull(stats, "stats");
    this.cache = new ForwardCache(config.limits(), Objects.requireNonNull(ticker, "ticker"));
    this.forwards = new Semaphore(config.limits().maxInFlightForwards());
    this.zone = new LocalZone(config, state);
  }

  /** A resolver forwarding over UDP to {@code config}'s upstreams, on the system clock. */
  public static DnsResolver create(DnsConfig config, Supplier<DataplaneState> state) {
    return new DnsResolver(config, state, new UdpForwarder(config), Ticker.systemTicker(), new DnsStats());
  }

  public DnsConfig config() {
    return config;
  }

  public DnsStats stats() {
    return stats;
  }

  /** Answers one message; never throws. {@code transport} bounds the answer's size. */
  public Reply resolve(byte[] wire, QueryTransport transport) {
    Objects.requireNonNull(wire, "wire");
    Objects.requireNonNull(transport, "transport");
    try {
      return answer(wire, transport);
    } catch (RuntimeException e) {
      // A bug, not the client's fault: answer SERVFAIL rather than kill the serving thread.
      stats.increment(DnsStats.Counter.INTERNAL_ERRORS);
      log.warn("[dns] internal error answering {} bytes", wire.length, e);
      return wire.length < HEADER ? new Reply.Drop(DnsStats.Counter.INTERNAL_ERRORS) : headerOnly(wire, Rcode.SERVFAIL);
    }
  }

  /**
   * A query that parsed whole, with what every answer to it needs: its question, the client's
   * OPT record (empty for a query without EDNS), the size bound of the answer and the response
   * being built (confined to the call that answers it).
   */
  private record Query(Message message, Record question, Optional<OPTRecord> opt, int limit, Message response) {}

  private Reply answer(byte[] wire, QueryTransport transport) {
    Optional<Reply> early = screenHeader(wire);
    if (early.isPresent()) {
      return early.get();
    }
    Message message;
    try {
      message = new Message(wire);
    } catch (IOException | RuntimeException e) {
      // WireParseException for truncation, bad pointers and long names; anything else is a
      // dnsjava bug on odd input, and the client still gets an answer.
      return refuse(DnsStats.Counter.FORMERR, "unparseable: " + e.getMessage(), headerOnly(wire, Rcode.FORMERR));
    }
    for (int s = Section.QUESTION; s <= Section.ADDITIONAL; s++) {
      // dnsjava keeps what it could parse of a message with TC=1 (and fixes the header's counts to
      // match): a query must be whole, so compare with the counts as sent.
      if (message.getSection(s).size() != u16(wire, 4 + 2 * s)) {
        return refuse(DnsStats.Counter.FORMERR, "partly parsed (TC=1)", headerOnly(wire, Rcode.FORMERR));
      }
    }
    Query query = query(message, transport);
    return screenQuery(query).orElseGet(() -> resolveName(query));
  }

  /** Step 1, on the raw header (RFC 1035 §4.1.1): what is dropped or refused before parsing. */
  private Optional<Reply> screenHeader(byte[] wire) {
    if (wire.length < HEADER) {
      return Optional.of(drop(DnsStats.Counter.DROPPED_SHORT, wire.length + " bytes"));
    }
    int flags = u16(wire, 2);
    if ((flags & QR) != 0) {
      return Optional.of(drop(DnsStats.Counter.DROPPED_RESPONSE, "QR=1"));
    }
    int opcode = (flags >>> 11) & 0xf;
    if (opcode != 0) {
      return Optional.of(refuse(DnsStats.Counter.NOTIMP, "opcode " + opcode, headerOnly(wire, Rcode.NOTIMP)));
    }
    if (u16(wire, 4) != 1) {
      return Optional.of(refuse(DnsStats.Counter.FORMERR, u16(wire, 4) + " questions", headerOnly(wire, Rcode.FORMERR)));
    }
    return Optional.empty();
  }

  /** The answer's size bound: the TCP limit, or the client's EDNS size within ours (RFC 6891 §6.2.5). */
  private Query query(Message message, QueryTransport transport) {
    Optional<OPTRecord> opt = Optional.ofNullable(message.getOPT()); // dnsjava: null without EDNS
    int udpLimit = opt.map(o -> Math.clamp(o.getPayloadSize(), config.limits().maxUdpMessage(), config.limits().maxEdnsMessage()))
        .orElse(config.limits().maxUdpMessage());
    int limit = transport == QueryTransport.TCP ? config.limits().maxTcpMessage() : udpLimit;
    return new Query(message, message.getQuestion(), opt, limit, newResponse(message));
  }

  /** Step 2, on the parsed query: its OPT records, its type and its class. */
  private Optional<Reply> screenQuery(Query q) {
    long opts = q.message().getSection(Section.ADDITIONAL).stream().filter(r -> r.getType() == Type.OPT).count();
    if (opts > 1 || q.opt().filter(o -> !o.getName().equals(Name.root)).isPresent()) {
      return Optional.of(finish(q, Rcode.FORMERR, DnsStats.Counter.FORMERR, "bad OPT"));
    }
    Optional<OPTRecord> newerEdns = q.opt().filter(o -> o.getVersion() != 0);
    if (newerEdns.isPresent()) {
      return Optional.of(finish(q, Rcode.BADVERS, DnsStats.Counter.BADVERS, "EDNS version " + newerEdns.get().getVersion()));
    }
    int qtype = q.question().getType();
    switch (qtype) {
      case Type.AXFR, Type.IXFR, Type.MAILA, Type.MAILB -> {
        return Optional.of(finish(q, Rcode.NOTIMP, DnsStats.Counter.NOTIMP, "qtype " + Type.string(qtype)));
      }
      case Type.OPT, Type.TSIG, Type.TKEY -> {
        return Optional.of(finish(q, Rcode.FORMERR, DnsStats.Counter.FORMERR, "qtype " + Type.string(qtype)));
      }
      default -> {}
    }
    int dclass = q.question().getDClass();
    if (dclass != DClass.IN && dclass != DClass.ANY) {
      return Optional.of(finish(q, Rcode.REFUSED, DnsStats.Counter.REFUSED, "class " + DClass.string(dclass)));
    }
    return Optional.empty();
  }

  /** Step 3: the mesh's own names, else the upstreams, else NXDOMAIN. */
  private Reply resolveName(Query q) {
    String name = q.question().getName().toString();
    switch (zone.answer(q.question(), q.response())) {
      case ANSWERED -> {
        return finish(q, Rcode.NOERROR, DnsStats.Counter.LOCAL_ANSWERS, name + " " + Type.string(q.question().getType()));
      }
      case NXDOMAIN -> {
        return finish(q, Rcode.NXDOMAIN, DnsStats.Counter.LOCAL_NXDOMAIN, name);
      }
      case NOT_OURS -> {}
    }
    if (config.upstreams().isEmpty()) {
      return finish(q, Rcode.NXDOMAIN, DnsStats.Counter.NO_UPSTREAM, name + ": no --dns-servers to forward to");
    }
    q.response().getHeader().setFlag(Flags.RA);
    return forward(q);
  }

  private Reply forward(Query q) {
    Record question = q.question();
    Message response = q.response();
    ForwardCache.Key key = new ForwardCache.Key(question.getName(), question.getType(), question.getDClass());
    Optional<ForwardCache.Hit> hit = cache.get(key);
    if (hit.isPresent()) {
      addSections(response, hit.get().sections());
      return finish(q, hit.get().rcode(), DnsStats.Counter.CACHE_HITS, question.getName() + " " + Type.string(question.getType()));
    }
    if (!forwards.tryAcquire()) {
      return finish(q, Rcode.SERVFAIL, DnsStats.Counter.FORWARD_OVERLOADED, question.getName().toString());
    }
    Message upstream;
    try {
      Message out = Message.newQuery(Record.newRecord(question.getName(), question.getType(), question.getDClass()));
      if (q.message().getHeader().getFlag(Flags.CD)) {
        out.getHeader().setFlag(Flags.CD);
      }
      out.addRecord(new OPTRecord(config.limits().maxEdnsMessage(), 0, 0, 0), Section.ADDITIONAL);
      upstream = forwarder.forward(out);
    } catch (IOException e) {
      return finish(q, Rcode.SERVFAIL, DnsStats.Counter.FORWARD_FAILED, question.getName() + ": " + e.getMessage());
    } finally {
      forwards.release();
    }
    cache.put(key, upstream);
    for (int s : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      for (Record r : upstream.getSection(s)) {
        if (r.getType() != Type.OPT && r.getType() != Type.TSIG) {
          response.addRecord(r, s);
        }
      }
    }
    return finish(q, upstream.getRcode(), DnsStats.Counter.FORWARDED, question.getName() + " " + Rcode.string(upstream.getRcode()));
  }

  private static void addSections(Message response, List<List<Record>> sections) {
    int[] order = {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL};
    for (int i = 0; i < order.length; i++) {
      for (Record r : sections.get(i)) {
        response.addRecord(r, order[i]);
      }
    }
  }

  /** ID, RD and CD of the query; QR set; the question as asked (its case kept, RFC 4343). */
  private static Message newResponse(Message query) {
    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    for (int f : new int[] {Flags.RD, Flags.CD}) {
      if (query.getHeader().getFlag(f)) {
        response.getHeader().setFlag(f);
      }
    }
    response.addRecord(query.getQuestion(), Section.QUESTION);
    return response;
  }

  /** Sets the rcode (extended through OPT when over 15), adds our OPT if the client sent one, and sizes the answer. */
  private Reply finish(Query q, int rcode, DnsStats.Counter counter, String what) {
    Message response = q.response();
    int limit = q.limit();
    int code = rcode > 0xf && q.opt().isEmpty() ? Rcode.SERVFAIL : rcode;
    response.getHeader().setRcode(code & 0xf);
    if (q.opt().isPresent()) {
      // RFC 6891 §7: an EDNS query gets an EDNS answer; BADVERS says we speak version 0.
      response.addRecord(new OPTRecord(config.limits().maxEdnsMessage(), code >>> 4, 0, 0), Section.ADDITIONAL);
    }
    stats.increment(counter);
    byte[] wire = response.toWire(limit);
    boolean truncated = (wire[2] & 0x02) != 0; // TC, RFC 1035 §4.1.1
    if (truncated) {
      stats.increment(DnsStats.Counter.TRUNCATED);
    }
    log.debug("[dns] {} {} {}{}", counter, Rcode.string(code), what, truncated ? " (truncated to " + limit + " bytes)" : "");
    return new Reply.Answer(wire);
  }

  private Reply drop(DnsStats.Counter reason, String what) {
    stats.increment(reason);
    log.debug("[dns] dropped: {} ({})", reason, what);
    return new Reply.Drop(reason);
  }

  private Reply refuse(DnsStats.Counter counter, String what, Reply reply) {
    stats.increment(counter);
    log.debug("[dns] {}: {}", counter, what);
    return reply;
  }

  /** A bare header answering {@code wire}: its ID, opcode and RD, QR set, no records. */
  private static Reply headerOnly(byte[] wire, int rcode) {
    int flags = u16(wire, 2);
    int out = QR | (flags & 0x7800) | (flags & RD) | (rcode & 0xf);
    return new Reply.Answer(new byte[] {wire[0], wire[1], (byte) (out >>> 8), (byte) out, 0, 0, 0, 0, 0, 0, 0, 0});
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }
}
