package io.ax.core.dns;

import static io.ax.core.dns.DnsTesting.addresses;
import static io.ax.core.dns.DnsTesting.answer;
import static io.ax.core.dns.DnsTesting.name;
import static io.ax.core.dns.DnsTesting.query;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.core.state.DataplaneState;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Forwarding to a real UDP upstream on 127.0.0.1, and the cache on a fake clock. */
class DnsResolverForwardTest {
  private final DnsTesting.FakeTicker ticker = new DnsTesting.FakeTicker();
  private final DnsStats stats = new DnsStats();
  private TestUpstream upstream;
  private TestUpstream second;

  @AfterEach
  void closeUpstreams() throws Exception {
    for (TestUpstream u : new TestUpstream[] {upstream, second}) {
      if (u != null) {
        u.close();
      }
    }
  }

  /** Answers example.com A with TTL 60, anything else NXDOMAIN with an SOA of TTL 300, minimum 10. */
  static void exampleCom(Message q, Message r) {
    if (q.getQuestion().getName().equals(name("example.com")) && q.getQuestion().getType() == Type.A) {
      TestUpstream.add(r, new ARecord(q.getQuestion().getName(), DClass.IN, 60, ip("93.184.216.34")));
    } else {
      r.getHeader().setRcode(Rcode.NXDOMAIN);
      r.addRecord(new SOARecord(name("com"), DClass.IN, 300, name("ns.com"), name("admin.com"), 1, 3600, 600, 86400, 10), Section.AUTHORITY);
    }
  }

  static InetAddress ip(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  private DnsResolver resolver(List<InetSocketAddress> upstreams, Duration forwardTimeout) {
    DnsConfig config = DnsTesting.config(upstreams);
    config = config.withLimits(config.limits().withTimeouts(Duration.ofSeconds(10), forwardTimeout));
    return new DnsResolver(config, () -> DataplaneState.EMPTY, new UdpForwarder(config), ticker, stats);
  }

  @Test
  void resolve_outsideName_forwardedAndAnswered() throws Exception {
    upstream = new TestUpstream(DnsResolverForwardTest::exampleCom);
    DnsResolver resolver = resolver(List.of(upstream.address()), Duration.ofSeconds(5));
    Message q = DnsTesting.queryMessage("Example.COM", Type.A);

    Message m = answer(resolver.resolve(q.toWire(), QueryTransport.UDP));

    assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(m.getHeader().getID()).isEqualTo(q.getHeader().getID());
    assertThat(m.getHeader().getFlag(Flags.RA)).isTrue();
    assertThat(m.getHeader().getFlag(Flags.AA)).isFalse();
    assertThat(addresses(m)).containsExactly("93.184.216.34");
    assertThat(upstream.queries()).isEqualTo(1);
    assertThat(stats.get(DnsStats.Counter.FORWARDED)).isEqualTo(1);
  }

  @Test
  void resolve_secondQueryWithinTtl_cacheHitWithTtlLowered() throws Exception {
    upstream = new TestUpstream(DnsResolverForwardTest::exampleCom);
    DnsResolver resolver = resolver(List.of(upstream.address()), Duration.ofSeconds(5));
    answer(resolver.resolve(query("example.com", Type.A), QueryTransport.UDP));

    ticker.advance(Duration.ofSeconds(45));
    Message m = answer(resolver.resolve(query("EXAMPLE.com.", Type.A), QueryTransport.UDP));

    assertThat(upstream.queries()).isEqualTo(1);
    assertThat(stats.get(DnsStats.Counter.CACHE_HITS)).isEqualTo(1);
    assertThat(addresses(m)).containsExactly("93.184.216.34");
    assertThat(m.getSection(Section.ANSWER)).singleElement().satisfies(r -> assertThat(r.getTTL()).isEqualTo(15));
  }

  @Test
  void resolve_afterTtl_forwardedAgain() throws Exception {
    upstream = new TestUpstream(DnsResolverForwardTest::exampleCom);
    DnsResolver resolver = resolver(List.of(upstream.address()), Duration.ofSeconds(5));
    answer(resolver.resolve(query("example.com", Type.A), QueryTransport.UDP));

    ticker.advance(Duration.ofSeconds(61));
    Message m = answer(resolver.resolve(query("example.com", Type.A), QueryTransport.UDP));

    assertThat(upstream.queries()).isEqualTo(2);
    assertThat(m.getSection(Section.ANSWER)).singleElement().satisfies(r -> assertThat(r.getTTL()).isEqualTo(60));
  }

  @Test
  void resolve_otherTypeOfCachedName_separateEntry() throws Exception {
    upstream = new TestUpstream(DnsResolverForwardTest::exampleCom);
    DnsResolver resolver = resolver(List.of(upstream.address()), Duration.ofSeconds(5));
    answer(resolver.resolve(query("example.com", Type.A), QueryTransport.UDP));

    answer(resolver.resolve(query("example.com", Type.AAAA), QueryTransport.UDP));

    assertThat(upstream.queries()).isEqualTo(2);
  }

  @Test
  void resolve_nxdomain_cachedForSoaMinimum() throws Exception {
    upstream = new TestUpstream(DnsResolverForwardTest::exampleCom);
    DnsResolver resolver = resolver(List.of(upstream.address()), Duration.ofSeconds(5));
    assertThat(answer(resolver.resolve(query("nope.com", Type.A), QueryTransport.UDP)).getRcode()).isEqualTo(Rcode.NXDOMAIN);

    ticker.advance(Duration.ofSeconds(9));
    Message cached = answer(resolver.resolve(query("nope.com", Type.A), QueryTransport.UDP));
    ticker.advance(Duration.ofSeconds(2));
    answer(resolver.resolve(query("nope.com", Type.A), QueryTransport.UDP));

    assertThat(cached.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(cached.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
    assertThat(upstream.queries()).isEqualTo(2); // min(SOA TTL 300, minimum 10) = 10 s, RFC 2308 §5
  }

  @Test
  void resolve_upstreamTruncates_askedAgainOverTcp() throws Exception {
    upstream = new TestUpstream((q, r) -> {
      for (int i = 1; i <= 60; i++) {
        TestUpstream.add(r, new ARecord(q.getQuestion().getName(), DClass.IN, 60, ip("10.9.0." + i)));
      }
    });
    DnsResolver resolver = resolver(List.of(upstream.address()), Duration.ofSeconds(5));

    Message overTcp = answer(resolver.resolve(query("many.example.com", Type.A), QueryTransport.TCP));
    Message overUdp = answer(resolver.resolve(query("many.example.com", Type.A), QueryTransport.UDP));

    assertThat(upstream.queries()).isEqualTo(1);
    assertThat(upstream.tcpQueries()).isEqualTo(1);
    assertThat(addresses(overTcp)).hasSize(60);
    assertThat(overUdp.getHeader().getFlag(Flags.TC)).isTrue(); // from the cache, cut for a 512-byte client
  }

  @Test
  void resolve_upstreamServfail_notCached() throws Exception {
    upstream = new TestUpstream((q, r) -> r.getHeader().setRcode(Rcode.SERVFAIL));
    DnsResolver resolver = resolver(List.of(upstream.address()), Duration.ofSeconds(5));

    assertThat(answer(resolver.resolve(query("example.com", Type.A), QueryTransport.UDP)).getRcode()).isEqualTo(Rcode.SERVFAIL);
    answer(resolver.resolve(query("example.com", Type.A), QueryTransport.UDP));

    assertThat(upstream.queries()).isEqualTo(2);
  }

  @Test
  void resolve_firstUpstreamSilent_secondAnswers() throws Exception {
    upstream = TestUpstream.silent();
    second = new TestUpstream(DnsResolverForwardTest::exampleCom);
    DnsResolver resolver = resolver(List.of(upstream.address(), second.address()), Duration.ofMillis(200));

    Message m = answer(resolver.resolve(query("example.com", Type.A), QueryTransport.UDP));

    assertThat(addresses(m)).containsExactly("93.184.216.34");
    assertThat(upstream.queries()).isEqualTo(1);
    assertThat(second.queries()).isEqualTo(1);
  }

  @Test
  void resolve_allUpstreamsSilent_servfailCounted() throws Exception {
    upstream = TestUpstream.silent();
    DnsResolver resolver = resolver(List.of(upstream.address()), Duration.ofMillis(100));

    Message m = answer(resolver.resolve(query("example.com", Type.A), QueryTransport.UDP));

    assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(stats.get(DnsStats.Counter.FORWARD_FAILED)).isEqualTo(1);
  }

  @Test
  void resolve_upstreamAnswersWrongId_ignoredThenTimesOut() throws Exception {
    upstream = new TestUpstream((q, r) -> {
      r.getHeader().setID((q.getHeader().getID() + 1) & 0xffff);
      TestUpstream.add(r, new ARecord(q.getQuestion().getName(), DClass.IN, 60, ip("6.6.6.6")));
    });
    DnsResolver resolver = resolver(List.of(upstream.address()), Duration.ofMillis(100));

    Message m = answer(resolver.resolve(query("example.com", Type.A), QueryTransport.UDP));

    assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(addresses(m)).isEmpty();
  }
}
