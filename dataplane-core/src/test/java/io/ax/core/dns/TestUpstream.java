package io.ax.core.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * A tiny DNS server on 127.0.0.1 for the forwarding tests, UDP and TCP on one port: each query is
 * answered by a function that fills in the response (ID, QR and question are copied first). Over
 * UDP answers are cut to 512 bytes with TC=1, as a server without EDNS does. A function that
 * throws {@link Silence} makes the upstream ignore the query, as a dead server would.
 */
final class TestUpstream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TestUpstream.class);

  /** Thrown by the answering function to send nothing. */
  static final class Silence extends RuntimeException {
    Silence() {
      super("silent", null, false, false);
    }
  }

  /** Fills in the records and rcode of a response to a query. */
  interface Answering {
    void answer(Message query, Message response);
  }

  private final DatagramSocket socket;
  private final ServerSocket tcp;
  private final AtomicInteger queries = new AtomicInteger();
  private final AtomicInteger tcpQueries = new AtomicInteger();
  private final Thread thread;
  private final Thread tcpThread;

  TestUpstream(Answering answering) throws IOException {
    this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    this.tcp = new ServerSocket(socket.getLocalPort(), 8, socket.getLocalAddress());
    this.thread = Thread.ofVirtual().name("test-upstream").start(() -> serve(answering));
    this.tcpThread = Thread.ofVirtual().name("test-upstream-tcp").start(() -> serveTcp(answering));
  }

  static TestUpstream silent() throws IOException {
    return new TestUpstream((q, r) -> {
      throw new Silence();
    });
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** How many queries arrived over UDP. */
  int queries() {
    return queries.get();
  }

  /** How many queries arrived over TCP. */
  int tcpQueries() {
    return tcpQueries.get();
  }

  private static Message respond(Answering answering, Message q) {
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.RA);
    r.addRecord(q.getQuestion(), Section.QUESTION);
    answering.answer(q, r);
    return r;
  }

  /** One query per connection is all the forwarder sends. */
  private void serveTcp(Answering answering) {
    while (!tcp.isClosed()) {
      try (Socket c = tcp.accept()) {
        DataInputStream in = new DataInputStream(c.getInputStream());
        byte[] query = new byte[in.readUnsignedShort()];
        in.readFully(query);
        tcpQueries.incrementAndGet();
        byte[] wire = respond(answering, new Message(query)).toWire();
        OutputStream out = c.getOutputStream();
        out.write(new byte[] {(byte) (wire.length >>> 8), (byte) wire.length});
        out.write(wire);
        out.flush();
      } catch (IOException | Silence e) {
        if (!tcp.isClosed()) {
          log.debug("test upstream tcp: {}", e.toString());
        }
      }
    }
  }

  private void serve(Answering answering) {
    byte[] buf = new byte[65535];
    while (!socket.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        queries.incrementAndGet();
        Message r;
        try {
          r = respond(answering, new Message(Arrays.copyOf(buf, p.getLength())));
        } catch (Silence e) {
          continue;
        }
        byte[] wire = r.toWire(512);
        socket.send(new DatagramPacket(wire, wire.length, p.getSocketAddress()));
      } catch (IOException e) {
        if (!socket.isClosed()) {
          log.warn("test upstream: {}", e.toString());
        }
      }
    }
  }

  /** Adds {@code record} to the answer section; for use in lambdas. */
  static void add(Message response, Record record) {
    response.addRecord(record, Section.ANSWER);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    socket.close();
    tcp.close();
    thread.join();
    tcpThread.join();
  }
}
