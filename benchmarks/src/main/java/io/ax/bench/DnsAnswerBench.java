package io.ax.bench;

import io.ax.core.dns.DnsConfig;
import io.ax.core.dns.DnsResolver;
import io.ax.core.dns.Reply;
import io.ax.core.dns.QueryTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * One DNS answer for a local name, without sockets: an A query in wire format into
 * {@link DnsResolver#resolve} over UDP, the answer's bytes out. The resolver is made by
 * {@link DnsResolver#create}, as the daemon's {@code DnsServer} makes it, on a
 * {@link MeshFixture} state (1,000 apps, 10,000 vservices); it has no upstreams, so nothing is
 * ever forwarded. The name table is built once for the snapshot (as in the daemon between
 * changes), so this is the parse, the lookup and the answer's build and wire encoding.
 *
 * <p>{@code name}: a vservice ({@code svc-4241.appswitch.local}), an app
 * ({@code app-7.appswitch.local}) and a vservice's Istio hostname outside the domain
 * ({@code svc-4241.default.svc.cluster.local}). Average time per answer, single thread. Results
 * are returned, so JMH sinks them into its Blackhole.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class DnsAnswerBench {
  @Param({"svc-4241.appswitch.local", "app-7.appswitch.local", "svc-4241.default.svc.cluster.local"})
  public String name;

  DnsResolver resolver;
  byte[] query;

  @Setup
  public void setUp() throws IOException {
    MeshFixture mesh = new MeshFixture();
    DnsConfig config = DnsConfig.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), DnsConfig.DEFAULT_DOMAIN, "");
    resolver = DnsResolver.create(config, mesh::state);
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, DClass.IN));
    query = q.toWire();
  }

  @Benchmark
  public Reply answer() {
    return resolver.resolve(query, QueryTransport.UDP);
  }
}
