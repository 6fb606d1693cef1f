package io.ax.core.dns;

import static io.ax.core.dns.DnsTesting.addresses;
import static io.ax.core.dns.DnsTesting.ednsQuery;
import static io.ax.core.dns.DnsTesting.namedApp;
import static io.ax.core.dns.DnsTesting.parse;
import static io.ax.core.dns.DnsTesting.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ax.core.state.DataplaneState;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** The server over real sockets on 127.0.0.1. */
class DnsServerTest {
  private static final int BIG = 60; // 60 A records: about 1000 bytes, over 512
  private static final Duration WAIT = Duration.ofSeconds(5);
  private DnsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static DataplaneState names() {
    DataplaneState s = DnsTesting.state(namedApp(1, "web", "10.0.0.1"));
    for (int i = 0; i < BIG; i++) {
      s = s.withApp(namedApp(100 + i, "big", "10.1.0." + (i + 1)));
    }
    return s;
  }

  private DnsServer start(DnsConfig.Limits limits) throws IOException {
    DataplaneState state = names();
    server = DnsServer.start(DnsTesting.config(List.of()).withLimits(limits), () -> state);
    return server;
  }

  private byte[] udp(byte[] query) throws IOException {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout((int) WAIT.toMillis());
      s.send(new DatagramPacket(query, query.length, server.address()));
      byte[] buf = new byte[65535];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      s.receive(p);
      return Arrays.copyOf(buf, p.getLength());
    }
  }

  static void writeFramed(OutputStream out, byte[] msg) throws IOException {
    out.write(new byte[] {(byte) (msg.length >>> 8), (byte) msg.length});
    out.write(msg);
    out.flush();
  }

  static byte[] readFramed(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    byte[] msg = new byte[d.readUnsignedShort()];
    d.readFully(msg);
    return msg;
  }

  private Socket tcp() throws IOException {
    Socket s = new Socket(server.address().getAddress(), server.address().getPort());
    s.setSoTimeout((int) WAIT.toMillis());
    return s;
  }

  @Test
  void start_udpQuery_answered() throws IOException {
    start(DnsConfig.Limits.DEFAULTS);

    Message m = parse(udp(query("web.appswitch.local", Type.A)));

    assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(addresses(m)).containsExactly("10.0.0.1");
    assertThat(server.stats().get(DnsStats.Counter.QUERIES_UDP)).isEqualTo(1);
  }

  @Test
  void start_tcpQueriesPipelined_answeredInOrder() throws IOException {
    start(DnsConfig.Limits.DEFAULTS);

    try (Socket s = tcp()) {
      writeFramed(s.getOutputStream(), query("web", Type.A));
      writeFramed(s.getOutputStream(), query("nope.appswitch.local", Type.A));

      Message first = parse(readFramed(s.getInputStream()));
      Message second = parse(readFramed(s.getInputStream()));

      assertThat(addresses(first)).containsExactly("10.0.0.1");
      assertThat(second.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }
    assertThat(server.stats().get(DnsStats.Counter.QUERIES_TCP)).isEqualTo(2);
  }

  @Test
  void udp_answerOver512_truncatedAndWholeOverTcp() throws IOException {
    start(DnsConfig.Limits.DEFAULTS);

    byte[] cut = udp(query("big", Type.A));
    Message whole;
    try (Socket s = tcp()) {
      writeFramed(s.getOutputStream(), query("big", Type.A));
      whole = parse(readFramed(s.getInputStream()));
    }

    assertThat(cut.length).isLessThanOrEqualTo(512);
    assertThat(parse(cut).getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(whole.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(addresses(whole)).hasSize(BIG);
    assertThat(server.stats().get(DnsStats.Counter.TRUNCATED)).isEqualTo(1);
  }

  @Test
  void udp_ednsClient_wholeAnswerWithin1232() throws IOException {
    start(DnsConfig.Limits.DEFAULTS);

    byte[] wire = udp(ednsQuery("big", Type.A, 4096));

    assertThat(wire.length).isBetween(513, 1232);
    assertThat(parse(wire).getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(addresses(parse(wire))).hasSize(BIG);
  }

  @Test
  void udp_garbageAndResponses_noAnswerButCounted() throws IOException {
    start(DnsConfig.Limits.DEFAULTS);
    byte[] response = query("web", Type.A);
    response[2] |= (byte) 0x80;

    try (DatagramSocket s = new DatagramSocket()) {
      s.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, server.address()));
      s.send(new DatagramPacket(response, response.length, server.address()));
    }
    byte[] after = udp(query("web", Type.A)); // still serving

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(server.stats().get(DnsStats.Counter.DROPPED_SHORT)).isEqualTo(1);
      assertThat(server.stats().get(DnsStats.Counter.DROPPED_RESPONSE)).isEqualTo(1);
    });
    assertThat(addresses(parse(after))).containsExactly("10.0.0.1");
  }

  @Test
  void udp_malformed_formerr() throws IOException {
    start(DnsConfig.Limits.DEFAULTS);
    byte[] loop = {0x12, 0x34, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 0x0c, 0, 1, 0, 1};

    Message m = parse(udp(loop));

    assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
    assertThat(m.getHeader().getID()).isEqualTo(0x1234);
  }

  @Test
  void tcp_connectionOverLimit_closedAndCounted() throws IOException {
    start(DnsConfig.Limits.DEFAULTS.withMaxTcpConnections(1));

    try (Socket first = tcp(); Socket second = tcp()) {
      writeFramed(first.getOutputStream(), query("web", Type.A));
      assertThat(addresses(parse(readFramed(first.getInputStream())))).containsExactly("10.0.0.1");

      assertThat(second.getInputStream().read()).isEqualTo(-1);
      assertThat(server.stats().get(DnsStats.Counter.TCP_REJECTED)).isEqualTo(1);
    }
  }

  @Test
  void tcp_idleConnection_closedAfterTimeout() throws IOException {
    start(DnsConfig.Limits.DEFAULTS.withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(2)));

    try (Socket s = tcp(); OutputStream out = s.getOutputStream()) {
      out.write(0); // one byte of a length, then nothing

      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(server.stats().get(DnsStats.Counter.TCP_CLOSED_IDLE)).isEqualTo(1));
  }

  @Test
  void start_addressInUse_ioExceptionNamingIt() throws IOException {
    start(DnsConfig.Limits.DEFAULTS);
    DnsConfig taken = new DnsConfig(server.address(), DnsConfig.DEFAULT_DOMAIN, List.of(), DnsConfig.Limits.DEFAULTS);

    assertThatThrownBy(() -> DnsServer.start(taken, () -> DataplaneState.EMPTY))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("dns: cannot listen on " + server.address());
  }

  @Test
  void close_twice_harmlessAndPortReleased() throws IOException {
    start(DnsConfig.Limits.DEFAULTS);
    var address = server.address();

    server.close();
    server.close();

    try (DatagramSocket again = new DatagramSocket(address)) {
      assertThat(again.getLocalPort()).isEqualTo(address.getPort());
    }
  }
}
