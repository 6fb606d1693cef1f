package io.ax.core.dns;

import static io.ax.core.dns.DnsTesting.name;
import static io.ax.core.dns.DnsTesting.namedApp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ax.core.state.DataplaneState;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * 20,000 hostile inputs from a seeded generator (set {@code -Dax.fuzz.seed=N} to replay one run):
 * the resolver never throws, every answer parses back with the query's ID and fits the
 * transport, and every drop is counted.
 */
class DnsResolverFuzzTest {
  private static final Logger log = LoggerFactory.getLogger(DnsResolverFuzzTest.class);
  private static final int INPUTS = 20_000;
  private static final byte[][] VALID = {
      DnsTesting.query("web", Type.A),
      DnsTesting.query("web.appswitch.local", Type.AAAA),
      DnsTesting.query("nope.appswitch.local", Type.A),
      DnsTesting.query("example.com", Type.A),
      DnsTesting.query("missing.example.com", Type.MX),
      DnsTesting.ednsQuery("big", Type.A, 4096),
      DnsTesting.ednsQuery("a.very.long.name.under.example.org", Type.TXT, 512),
  };

  /** Answers in-process: names under .com get an A, others NXDOMAIN; one in 16 fails. */
  static Message fakeUpstream(Message q) throws IOException {
    if ((q.getQuestion().getName().hashCode() & 0xf) == 0) {
      throw new IOException("upstream down");
    }
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.addRecord(q.getQuestion(), Section.QUESTION);
    if (q.getQuestion().getName().subdomain(name("com"))) {
      r.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 30, InetAddress.getByAddress(new byte[] {1, 2, 3, 4})), Section.ANSWER);
    } else {
      r.getHeader().setRcode(Rcode.NXDOMAIN);
      r.addRecord(new SOARecord(name("org"), DClass.IN, 60, name("ns.org"), name("h.org"), 1, 1, 1, 1, 20), Section.AUTHORITY);
    }
    return r;
  }

  @Test
  void resolve_seededHostileCorpus_neverThrowsAnswersParseDropsCounted() {
    long seed = Long.getLong("ax.fuzz.seed", System.nanoTime());
    log.info("DnsResolverFuzzTest seed {} (replay with -Dax.fuzz.seed={})", seed, seed);
    Random rnd = new Random(seed);
    DataplaneState state = DnsTesting.state(namedApp(1, "web", "10.0.0.1"));
    for (int i = 0; i < 60; i++) {
      state = state.withApp(namedApp(100 + i, "big", "10.1.0." + (i + 1)));
    }
    DataplaneState snapshot = state;
    DnsTesting.FakeTicker ticker = new DnsTesting.FakeTicker();
    DnsStats stats = new DnsStats();
    DnsConfig config = DnsTesting.config(List.of(DnsTesting.LOOPBACK_ANY_PORT));
    DnsResolver resolver = new DnsResolver(config, () -> snapshot, DnsResolverFuzzTest::fakeUpstream, ticker, stats);
    long drops = 0;

    for (int i = 0; i < INPUTS; i++) {
      byte[] input = input(rnd);
      QueryTransport transport = rnd.nextBoolean() ? QueryTransport.UDP : QueryTransport.TCP;
      Reply reply;
      try {
        reply = resolver.resolve(input, transport);
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ", input " + i + " threw: " + HexFormat.of().formatHex(input), e);
      }
      assertThat(stats.get(DnsStats.Counter.INTERNAL_ERRORS))
          .as("seed %d input %d hit a bug: %s", seed, i, HexFormat.of().formatHex(input))
          .isZero();
      switch (reply) {
        case Reply.Answer(byte[] wire) -> check(seed, i, input, transport, wire);
        case Reply.Drop(DnsStats.Counter reason) -> {
          drops++;
          assertThat(reason).as("seed %d input %d", seed, i).isIn(DnsStats.Counter.DROPPED_SHORT, DnsStats.Counter.DROPPED_RESPONSE);
          assertThat(input.length < 12 || (input[2] & 0x80) != 0).as("seed %d input %d dropped with a query header", seed, i).isTrue();
        }
      }
      ticker.advance(Duration.ofMillis(rnd.nextInt(50)));
    }

    log.info("DnsResolverFuzzTest seed {}: {}", seed, stats);
    assertThat(stats.get(DnsStats.Counter.DROPPED_SHORT) + stats.get(DnsStats.Counter.DROPPED_RESPONSE)).isEqualTo(drops);
    assertThat(stats.get(DnsStats.Counter.INTERNAL_ERRORS)).as("seed %d", seed).isZero();
    assertThat(DnsStats.OUTCOMES.stream().mapToLong(stats::get).sum()).as("one outcome per input, seed %d", seed).isEqualTo(INPUTS);
    assertThat(stats.get(DnsStats.Counter.FORMERR)).as("the corpus reaches the parser's error paths").isPositive();
    assertThat(stats.get(DnsStats.Counter.LOCAL_ANSWERS)).as("and its answers").isPositive();
  }

  private static void check(long seed, int i, byte[] input, QueryTransport transport, byte[] wire) {
    Message m;
    try {
      m = new Message(wire);
    } catch (IOException e) {
      fail("seed %d input %d: the answer does not parse: %s", seed, i, HexFormat.of().formatHex(wire));
      return;
    }
    assertThat(m.getHeader().getFlag(Flags.QR)).as("seed %d input %d QR", seed, i).isTrue();
    assertThat(m.getHeader().getID()).as("seed %d input %d ID", seed, i).isEqualTo(((input[0] & 0xff) << 8) | (input[1] & 0xff));
    assertThat(wire.length).as("seed %d input %d size", seed, i).isLessThanOrEqualTo(transport == QueryTransport.UDP ? 1232 : 65535);
  }

  private static byte[] input(Random rnd) {
    byte[] valid = VALID[rnd.nextInt(VALID.length)].clone();
    return switch (rnd.nextInt(7)) {
      case 0 -> randomBytes(rnd, rnd.nextInt(rnd.nextBoolean() ? 16 : 600));
      case 1 -> flip(rnd, valid, 1 + rnd.nextInt(8));
      case 2 -> Arrays.copyOf(valid, rnd.nextInt(valid.length + 1));
      case 3 -> pointers(rnd);
      case 4 -> header(rnd, valid);
      case 5 -> {
        byte[] longer = Arrays.copyOf(valid, valid.length + rnd.nextInt(64));
        yield flip(rnd, longer, rnd.nextInt(4));
      }
      default -> valid;
    };
  }

  private static byte[] randomBytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  private static byte[] flip(Random rnd, byte[] b, int times) {
    for (int k = 0; k < times && b.length > 0; k++) {
      b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
    }
    return b;
  }

  /** A query whose name is labels and compression pointers anywhere: loops, forwards, out of bounds. */
  private static byte[] pointers(Random rnd) {
    byte[] b = new byte[12 + 2 * (1 + rnd.nextInt(8)) + 4];
    b[0] = (byte) rnd.nextInt(256);
    b[1] = (byte) rnd.nextInt(256);
    b[2] = 0x01; // RD
    b[5] = 1; // one question
    for (int at = 12; at + 1 < b.length - 4; at += 2) {
      if (rnd.nextInt(4) == 0) {
        b[at] = 1;
        b[at + 1] = 'a';
      } else {
        int target = rnd.nextInt(b.length + 8);
        b[at] = (byte) (0xc0 | (target >>> 8));
        b[at + 1] = (byte) target;
      }
    }
    b[b.length - 3] = 1; // type A
    b[b.length - 1] = 1; // class IN
    return b;
  }

  /** A valid query under a random flags word and random section counts. */
  private static byte[] header(Random rnd, byte[] b) {
    for (int k = 2; k < 12; k++) {
      if (rnd.nextInt(3) == 0) {
        b[k] = (byte) (rnd.nextInt(4) == 0 ? rnd.nextInt(256) : rnd.nextInt(3));
      }
    }
    return b;
  }
}
