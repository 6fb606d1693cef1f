package io.ax.core.dns;

import static io.ax.core.dns.DnsTesting.addresses;
import static io.ax.core.dns.DnsTesting.answer;
import static io.ax.core.dns.DnsTesting.ednsQuery;
import static io.ax.core.dns.DnsTesting.namedApp;
import static io.ax.core.dns.DnsTesting.query;
import static io.ax.core.dns.DnsTesting.queryMessage;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.core.model.AppId;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.StateFixtures;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Local names and malformed input; forwarding is in {@link DnsResolverForwardTest}. */
class DnsResolverTest {
  private final AtomicReference<DataplaneState> state = new AtomicReference<>(
      DnsTesting.state(namedApp(1, "web", "10.0.0.1"), namedApp(2, "web", "10.0.0.2"), namedApp(3, "<f00001bb>", "10.0.0.3"))
          .withVService(StateFixtures.vservice("reviews", "10.96.0.7", "9080:9080", "10.0.0.1")));
  private final DnsStats stats = new DnsStats();
  private final DnsResolver resolver = new DnsResolver(DnsTesting.config(List.of()), state::get, q -> {
    throw new IOException("no forwarding in this test");
  }, new DnsTesting.FakeTicker(), stats);

  @ParameterizedTest(name = "{0}")
  @CsvSource({"web", "web.appswitch.local", "WEB.AppSwitch.Local"})
  void resolve_appName_authoritativeARecordsForEveryApp(String name) {
    Message m = answer(resolver.resolve(query(name, Type.A), QueryTransport.UDP));

    assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
    assertThat(addresses(m)).containsExactly("10.0.0.1", "10.0.0.2");
    assertThat(m.getSection(Section.ANSWER)).allSatisfy(r -> {
      assertThat(r.getTTL()).isEqualTo(5);
      assertThat(r.getName().toString()).isEqualTo(name + "."); // the case asked, RFC 4343
    });
    assertThat(stats.get(DnsStats.Counter.LOCAL_ANSWERS)).isEqualTo(1);
  }

  @Test
  void resolve_vserviceName_itsVip() {
    Message m = answer(resolver.resolve(query("reviews.appswitch.local", Type.A), QueryTransport.TCP));

    assertThat(addresses(m)).containsExactly("10.96.0.7");
  }

  @Test
  void resolve_queryId_echoedWithRd() {
    Message q = queryMessage("web", Type.A);

    Message m = answer(resolver.resolve(q.toWire(), QueryTransport.UDP));

    assertThat(m.getHeader().getID()).isEqualTo(q.getHeader().getID());
    assertThat(m.getHeader().getFlag(Flags.RD)).isTrue();
    assertThat(m.getQuestion()).isEqualTo(q.getQuestion());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"AAAA", "MX", "TXT", "SOA"})
  void resolve_otherTypeOfKnownName_nodataWithSoa(String type) {
    Message m = answer(resolver.resolve(query("web.appswitch.local", Type.value(type)), QueryTransport.UDP));

    assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(m.getSection(Section.ANSWER)).isEmpty();
    assertThat(m.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
  }

  @Test
  void resolve_soaOfDomain_answered() {
    Message m = answer(resolver.resolve(query("appswitch.local", Type.SOA), QueryTransport.UDP));

    assertThat(m.getSection(Section.ANSWER)).singleElement().isInstanceOfSatisfying(SOARecord.class, soa -> {
      assertThat(soa.getMinimum()).isEqualTo(5);
      assertThat(soa.getName().toString()).isEqualTo("appswitch.local.");
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"nope.appswitch.local", "<f00001bb>.appswitch.local", "x.web.appswitch.local"})
  void resolve_unknownNameInDomain_nxdomainWithSoa(String name) {
    Message m = answer(resolver.resolve(query(name, Type.A), QueryTransport.UDP));

    assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(m.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
    assertThat(stats.get(DnsStats.Counter.LOCAL_NXDOMAIN)).isEqualTo(1);
  }

  @Test
  void resolve_lastAppLeaves_nxdomainNextQuery() {
    assertThat(addresses(answer(resolver.resolve(query("web", Type.A), QueryTransport.UDP)))).hasSize(2);

    state.set(state.get().withoutApp(new AppId("00000001")).withoutApp(new AppId("00000002")));

    assertThat(answer(resolver.resolve(query("web.appswitch.local", Type.A), QueryTransport.UDP)).getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void resolve_outsideNameWithoutUpstream_nxdomain_soThatGlibcSaysNotKnownInsteadOfRetrying() {
    Message m = answer(resolver.resolve(query("example.com", Type.A), QueryTransport.UDP));

    assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(m.getHeader().getFlag(Flags.RA)).isFalse();
    assertThat(m.getHeader().getFlag(Flags.AA)).as("not our zone").isFalse();
    assertThat(stats.get(DnsStats.Counter.NO_UPSTREAM)).isEqualTo(1);
  }

  @Test
  void resolve_ednsQuery_ednsAnswer() {
    Message m = answer(resolver.resolve(ednsQuery("web", Type.A, 4096), QueryTransport.UDP));

    assertThat(m.getOPT()).isNotNull();
    assertThat(m.getOPT().getPayloadSize()).isEqualTo(1232);
  }

  @Test
  void resolve_ednsVersion1_badvers() {
    Message q = queryMessage("web", Type.A);
    q.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);

    Message m = answer(resolver.resolve(q.toWire(), QueryTransport.UDP));

    assertThat(m.getRcode()).isEqualTo(Rcode.BADVERS);
    assertThat(m.getOPT().getVersion()).isZero();
    assertThat(stats.get(DnsStats.Counter.BADVERS)).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"AXFR, NOTIMP", "IXFR, NOTIMP", "OPT, FORMERR", "TSIG, FORMERR"})
  void resolve_metaType_refusedWithRcode(String type, String rcode) {
    Message m = answer(resolver.resolve(query("web", Type.value(type)), QueryTransport.TCP));

    assertThat(Rcode.string(m.getRcode())).isEqualTo(rcode);
  }

  @Test
  void resolve_chaosClass_refused() {
    Message q = Message.newQuery(Record.newRecord(DnsTesting.name("version.bind"), Type.TXT, DClass.CH));

    assertThat(answer(resolver.resolve(q.toWire(), QueryTransport.UDP)).getRcode()).isEqualTo(Rcode.REFUSED);
  }

  @Test
  void resolve_notifyOpcode_notimpHeaderOnly() {
    Message q = queryMessage("web", Type.SOA);
    q.getHeader().setOpcode(Opcode.NOTIFY);

    Message m = answer(resolver.resolve(q.toWire(), QueryTransport.UDP));

    assertThat(m.getRcode()).isEqualTo(Rcode.NOTIMP);
    assertThat(m.getHeader().getOpcode()).isEqualTo(Opcode.NOTIFY);
    assertThat(m.getHeader().getID()).isEqualTo(q.getHeader().getID());
    assertThat(stats.get(DnsStats.Counter.NOTIMP)).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      truncated question            | 1234 0100 0001 0000 0000 0000 03 77 65
      no question                   | 1234 0100 0000 0000 0000 0000
      two questions                 | 1234 0100 0002 0000 0000 0000 0377656200 0001 0001 0377656200 0001 0001
      pointer to itself             | 1234 0100 0001 0000 0000 0000 c00c 0001 0001
      pointer forwards              | 1234 0100 0001 0000 0000 0000 c00e 0001 0001 00
      pointer out of bounds         | 1234 0100 0001 0000 0000 0000 cfff 0001 0001
      loop of two pointers          | 1234 0100 0001 0000 0000 0000 c00e c00c 0001 0001
      label type 01 (obsolete)      | 1234 0100 0001 0000 0000 0000 4100 0001 0001
      label past the end            | 1234 0100 0001 0000 0000 0000 3f61 0001 0001
      answer count beyond the data  | 1234 0100 0001 00ff 0000 0000 0377656200 0001 0001
      TC=1, broken name (dnsjava keeps the parsed part) | 1234 0300 0001 0000 0000 0000 4d77 0001 0001
      """)
  void resolve_malformed_formerrWithId(String what, String hex) {
    byte[] wire = HexFormat.of().parseHex(hex.replace(" ", ""));

    Message m = answer(resolver.resolve(wire, QueryTransport.UDP));

    assertThat(m.getRcode()).as(what).isEqualTo(Rcode.FORMERR);
    assertThat(m.getHeader().getID()).isEqualTo(0x1234);
    assertThat(m.getHeader().getFlag(Flags.RD)).isTrue();
    assertThat(stats.get(DnsStats.Counter.FORMERR)).isEqualTo(1);
  }

  @Test
  void resolve_nameOver255Bytes_formerr() {
    StringBuilder hex = new StringBuilder("1234 0100 0001 0000 0000 0000");
    for (int i = 0; i < 5; i++) {
      hex.append("3f").append("61".repeat(63)); // five 63-byte labels: 320 bytes
    }
    hex.append("00 0001 0001");

    Message m = answer(resolver.resolve(HexFormat.of().parseHex(hex.toString().replace(" ", "")), QueryTransport.TCP));

    assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void resolve_shorterThanHeader_dropped() {
    assertThat(resolver.resolve(new byte[] {0x12, 0x34, 1}, QueryTransport.UDP)).isEqualTo(new Reply.Drop(DnsStats.Counter.DROPPED_SHORT));
    assertThat(resolver.resolve(new byte[0], QueryTransport.TCP)).isEqualTo(new Reply.Drop(DnsStats.Counter.DROPPED_SHORT));
    assertThat(stats.get(DnsStats.Counter.DROPPED_SHORT)).isEqualTo(2);
  }

  @Test
  void resolve_response_droppedSoServersCannotPingPong() {
    Message q = queryMessage("web", Type.A);
    q.getHeader().setFlag(Flags.QR);

    assertThat(resolver.resolve(q.toWire(), QueryTransport.UDP)).isEqualTo(new Reply.Drop(DnsStats.Counter.DROPPED_RESPONSE));
  }
}
