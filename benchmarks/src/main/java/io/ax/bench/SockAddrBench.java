package io.ax.bench;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.net.SockAddr;
import io.ax.bridge.net.SockAddrCodec;
import io.ax.bridge.sys.Sys;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bridge's sockaddr codec ({@link SockAddrCodec}), which reads the address of every trapped
 * {@code connect()} and {@code bind()} and writes the rewritten one back:
 *
 * <ul>
 *   <li>{@link #decodeV4}: a 16-byte {@code sockaddr_in} (10.96.16.145:80) on an AF_INET socket.
 *   <li>{@link #decodeV6}: a 28-byte {@code sockaddr_in6} holding the IPv4-mapped
 *       {@code ::ffff:10.96.16.145} port 80 on an AF_INET6 socket (how an IPv6 app reaches a vIP).
 *   <li>{@link #encodeV4}: 192.168.0.1:20042 as a {@code sockaddr_in}.
 *   <li>{@link #encodeV6}: the same endpoint as an IPv4-mapped {@code sockaddr_in6}, for an
 *       AF_INET6 socket.
 * </ul>
 *
 * Pure byte work; average time per call, single thread. Results are returned, so JMH sinks them
 * into its Blackhole.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class SockAddrBench {
  byte[] v4;
  byte[] v6;
  Inet4Endpoint target;

  @Setup
  public void setUp() {
    Inet4Endpoint vip = new Inet4Endpoint((10 << 24) | (96 << 16) | (16 << 8) | 145, 80);
    v4 = SockAddrCodec.encode(vip, Sys.AF_INET);
    v6 = SockAddrCodec.encode(vip, Sys.AF_INET6);
    target = new Inet4Endpoint((192 << 24) | (168 << 16) | 1, 20_042);
  }

  @Benchmark
  public SockAddr decodeV4() throws SockAddrCodec.BadAddressException {
    return SockAddrCodec.decode(v4, v4.length, Sys.AF_INET);
  }

  @Benchmark
  public SockAddr decodeV6() throws SockAddrCodec.BadAddressException {
    return SockAddrCodec.decode(v6, v6.length, Sys.AF_INET6);
  }

  @Benchmark
  public byte[] encodeV4() {
    return SockAddrCodec.encode(target, Sys.AF_INET);
  }

  @Benchmark
  public byte[] encodeV6() {
    return SockAddrCodec.encode(target, Sys.AF_INET6);
  }
}
