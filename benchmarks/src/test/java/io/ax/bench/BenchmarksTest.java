package io.ax.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddr;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.core.dns.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * Each benchmark method runs once on its real setup and returns what it should: the benchmarks
 * keep measuring the path they claim to. No timing here; JMH runs only from ci/bench/jmh.sh.
 */
class BenchmarksTest {

  @Test
  void connectDecision_vserviceAndDirect_connectAndDirect() {
    ConnectDecisionBench b = new ConnectDecisionBench();
    b.setUp();

    ConnectDecision viaVService = b.vservice();
    assertThat(viaVService).isInstanceOf(ConnectDecision.Targets.class);
    ConnectDecision.Targets connect = (ConnectDecision.Targets) viaVService;
    assertThat(connect.via()).isEqualTo("svc-" + ConnectDecisionBench.VSERVICE);
    assertThat(connect.targets()).hasSize(MeshFixture.BACKENDS_PER_VSERVICE);
    assertThat(connect.targets()).allSatisfy(t -> assertThat(b.mesh.state().serversAtHost(t)).as("entries at %s", t).isNotEmpty());
    assertThat(b.direct()).isEqualTo(ConnectDecision.DIRECT);
  }

  @ParameterizedTest
  @CsvSource({
    "Random, equal", "Random, weighted",
    "RoundRobin, equal", "RoundRobin, weighted",
    "LeastConn, equal", "LeastConn, weighted",
    "ConsistentHash, equal", "ConsistentHash, weighted"})
  void lbPick_eachPolicy_ordersAllBackends(String policy, String weights) {
    LbPickBench b = new LbPickBench();
    b.policy = policy;
    b.weights = weights;
    b.setUp();

    List<Inet4Endpoint> first = b.pick();
    List<Inet4Endpoint> second = b.pick();

    assertThat(first).hasSize(LbPickBench.BACKENDS).doesNotHaveDuplicates();
    assertThat(second).containsExactlyInAnyOrderElementsOf(first);
  }

  @Test
  void sockAddr_decodeAndEncode_roundTrip() throws SockAddrCodec.BadAddressException {
    SockAddrBench b = new SockAddrBench();
    b.setUp();

    assertThat(b.decodeV4()).isInstanceOf(SockAddr.V4.class);
    assertThat(b.decodeV4().inet4()).contains(b.decodeV6().inet4().orElseThrow());
    assertThat(b.decodeV6()).isInstanceOf(SockAddr.V6.class);
    assertThat(b.encodeV4()).hasSize(SockAddrCodec.SOCKADDR_IN_SIZE);
    assertThat(b.encodeV6()).hasSize(SockAddrCodec.SOCKADDR_IN6_SIZE);
    assertThat(SockAddrCodec.decode(b.encodeV6(), SockAddrCodec.SOCKADDR_IN6_SIZE, io.ax.bridge.sys.Sys.AF_INET6).inet4())
        .contains(b.target);
  }

  @ParameterizedTest
  @ValueSource(strings = {"svc-4241.appswitch.local", "app-7.appswitch.local", "svc-4241.default.svc.cluster.local"})
  void dnsAnswer_localName_oneARecord(String name) throws Exception {
    DnsAnswerBench b = new DnsAnswerBench();
    b.name = name;
    b.setUp();

    Reply reply = b.answer();

    assertThat(reply).isInstanceOf(Reply.Answer.class);
    Message answer = new Message(((Reply.Answer) reply).wire());
    assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(answer.getSection(Section.ANSWER)).hasSize(1);
  }
}
