package io.ax.xds.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A real DNS server on a loopback UDP port for tests: A records from a map the test changes, with
 * a TTL of {@code ttlSeconds}; NXDOMAIN (with an SOA) for other names. Every answer points at this
 * machine, as the tests' network rules ask.
 */
final class TestDnsServer implements AutoCloseable {
  private final DatagramSocket socket;
  private final Map<String, List<String>> records = new ConcurrentHashMap<>();
  private final long ttlSeconds;
  final AtomicInteger queries = new AtomicInteger();
  private final Thread loop;

  TestDnsServer(long ttlSeconds) throws IOException {
    this.ttlSeconds = ttlSeconds;
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    loop = Thread.ofVirtual().name("test-dns").start(this::serve);
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** Makes {@code host} answer {@code ips} (none: NXDOMAIN). */
  void set(String host, List<String> ips) {
    if (ips.isEmpty()) {
      records.remove(host);
    } else {
      records.put(host, List.copyOf(ips));
    }
  }

  private void serve() {
    byte[] buf = new byte[512];
    while (!socket.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        queries.incrementAndGet();
        Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.AA);
        Record question = q.getQuestion();
        r.addRecord(question, Section.QUESTION);
        String host = question.getName().toString(true).toLowerCase(java.util.Locale.ROOT);
        List<String> ips = records.get(host);
        if (ips == null) {
          r.getHeader().setRcode(Rcode.NXDOMAIN);
          r.addRecord(new SOARecord(Name.root, DClass.IN, ttlSeconds, Name.fromString("ns.test."), Name.fromString("admin.test."), 1, 60, 60, 60, ttlSeconds),
              Section.AUTHORITY);
        } else if (question.getType() == Type.A) {
          for (String ip : ips) {
            r.addRecord(new ARecord(question.getName(), DClass.IN, ttlSeconds, InetAddress.getByName(ip)), Section.ANSWER);
          }
        }
        byte[] out = r.toWire();
        socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
      } catch (IOException e) {
        if (socket.isClosed()) {
          return;
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    loop.join(2000);
  }
}
