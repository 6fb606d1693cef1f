package io.ax.core.dns;

import com.github.benmanes.caffeine.cache.Ticker;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.StateFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;

/** Builders of queries, apps and configs for the DNS tests. */
final class DnsTesting {
  static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

  private DnsTesting() {}

  /** A time source the test moves by hand. */
  static final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long read() {
      return nanos.get();
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }

  static Name name(String text) {
    try {
      return Name.fromString(text.endsWith(".") ? text : text + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  /** A recursive query for {@code name}, without EDNS. */
  static Message queryMessage(String name, int type) {
    return Message.newQuery(Record.newRecord(name(name), type, DClass.IN));
  }

  static byte[] query(String name, int type) {
    return queryMessage(name, type).toWire();
  }

  /** A query with an EDNS OPT record offering {@code payload} bytes. */
  static byte[] ednsQuery(String name, int type, int payload) {
    Message m = queryMessage(name, type);
    m.addRecord(new OPTRecord(payload, 0, 0, 0), Section.ADDITIONAL);
    return m.toWire();
  }

  static Message parse(byte[] wire) {
    try {
      return new Message(wire);
    } catch (IOException e) {
      throw new UncheckedIOException("answer does not parse: " + HexFormat.of().formatHex(wire), e);
    }
  }

  /** The answer of a reply that must be one. */
  static Message answer(Reply reply) {
    if (reply instanceof Reply.Answer(byte[] wire)) {
      return parse(wire);
    }
    throw new AssertionError("expected an answer, got " + reply);
  }

  /** The A addresses in an answer, as text. */
  static List<String> addresses(Message m) {
    return m.getSection(Section.ANSWER).stream()
        .filter(r -> r instanceof org.xbill.DNS.ARecord)
        .map(r -> ((org.xbill.DNS.ARecord) r).getAddress().getHostAddress())
        .toList();
  }

  /** An app with a --name; ids are derived from {@code n} so each call gives a new app. */
  static App namedApp(int n, String name, String ip) {
    return new App(new AppId(String.format("%08x", n)), name, StateFixtures.NODE, StateFixtures.CLUSTER, StateFixtures.ip(ip), "user",
        Labels.NONE, 1000);
  }

  static DnsConfig config(List<InetSocketAddress> upstreams) {
    return new DnsConfig(LOOPBACK_ANY_PORT, DnsConfig.DEFAULT_DOMAIN, upstreams, DnsConfig.Limits.DEFAULTS);
  }

  static DataplaneState state(App... apps) {
    DataplaneState s = DataplaneState.EMPTY;
    for (App a : apps) {
      s = s.withApp(a);
    }
    return s;
  }
}
