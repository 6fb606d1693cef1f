package io.ax.core.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

/**
 * Forwards over UDP to the upstreams in order, as a stub resolver does: each gets
 * {@code timeout} to answer; a timeout, an ICMP error, SERVFAIL, REFUSED or NOTIMP moves on to the
 * next one. A truncated answer (TC=1) is asked again over TCP of the same upstream (RFC 7766).
 *
 * <p>Against spoofed answers (RFC 5452 §9): every attempt uses a new socket, so a random source
 * port, and a random ID from {@link SecureRandom}; a datagram from elsewhere (the socket is
 * connected), with another ID or another question is ignored and the wait goes on.
 *
 * <p>Thread-safe and stateless between calls (but for a failure count that paces warnings); blocks the calling (virtual) thread. Holds no
 * socket between calls, so there is nothing to close.
 */
public final class UdpForwarder implements Forwarder {
  private static final Logger log = LoggerFactory.getLogger(UdpForwarder.class);
  /**
   * We advertise {@link DnsConfig.Limits#maxEdnsMessage()}; a larger datagram breaks EDNS, but
   * older servers assumed 4096, so that much is read. Anything longer is cut, fails to parse, and
   * is ignored.
   */
  static final int MAX_UDP_ANSWER = 4096;
  private static final SecureRandom IDS = new SecureRandom();

  private final List<InetSocketAddress> upstreams;
  private final Duration timeout;
  private final AtomicLong failures = new AtomicLong();

  public UdpForwarder(List<InetSocketAddress> upstreams, Duration timeout) {
    this.upstreams = List.copyOf(upstreams);
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("timeout: " + timeout + " is not a positive number of milliseconds");
    }
  }

  /** Forwards to {@code config}'s upstreams with its forward timeout. */
  public UdpForwarder(DnsConfig config) {
    this(config.upstreams(), config.limits().forwardTimeout());
  }

  @Override
  public Message forward(Message query) throws IOException {
    Objects.requireNonNull(query, "query");
    if (upstreams.isEmpty()) {
      throw new IOException("no upstream DNS servers");
    }
    Message q = query.clone();
    q.getHeader().setID(IDS.nextInt(0x10000));
    byte[] wire = q.toWire();
    Optional<Message> lastAnswer = Optional.empty();
    IOException lastFailure = new IOException("no upstream answered");
    for (int i = 0; i < upstreams.size(); i++) {
      InetSocketAddress upstream = upstreams.get(i);
      String next = i + 1 < upstreams.size() ? "; trying " + upstreams.get(i + 1) : "";
      try {
        Message answer = exchangeUdp(upstream, q, wire);
        if (answer.getHeader().getFlag(Flags.TC)) {
          log.debug("[dns] upstream {} truncated {}; asking over TCP", upstream, q.getQuestion().getName());
          answer = exchangeTcp(upstream, q, wire);
        }
        int rcode = answer.getRcode();
        if (rcode != Rcode.SERVFAIL && rcode != Rcode.REFUSED && rcode != Rcode.NOTIMP) {
          return answer;
        }
        retryLog("[dns] upstream {} answered {} for {}{}", upstream, Rcode.string(rcode), q.getQuestion().getName(), next);
        lastAnswer = Optional.of(answer);
      } catch (IOException e) {
        retryLog("[dns] upstream {} failed for {}: {}{}", upstream, q.getQuestion().getName(), e.toString(), next);
        lastFailure = e;
      }
    }
    if (lastAnswer.isPresent()) {
      return lastAnswer.get();
    }
    throw lastFailure;
  }

  /** WARN for the 1st, 2nd, 4th, 8th... failure, DEBUG otherwise: a dead upstream must not flood the log. */
  private void retryLog(String format, Object... args) {
    long n = failures.incrementAndGet();
    if (Long.bitCount(n) == 1) {
      log.warn(format + " (upstream failure #{})", append(args, n));
    } else {
      log.debug(format, args);
    }
  }

  private static Object[] append(Object[] args, Object last) {
    Object[] out = Arrays.copyOf(args, args.length + 1);
    out[args.length] = last;
    return out;
  }

  private Message exchangeUdp(InetSocketAddress upstream, Message q, byte[] wire) throws IOException {
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.connect(upstream);
      socket.send(new DatagramPacket(wire, wire.length));
      long deadline = System.nanoTime() + timeout.toNanos();
      byte[] buf = new byte[MAX_UDP_ANSWER];
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new SocketTimeoutException("no answer in " + timeout.toMillis() + " ms");
        }
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        Optional<Message> answer = matching(q, Arrays.copyOf(buf, p.getLength()));
        if (answer.isPresent()) {
          return answer.get();
        }
        log.debug("[dns] ignored a datagram from {} that does not answer {}", upstream, q.getQuestion().getName());
      }
    }
  }

  private Message exchangeTcp(InetSocketAddress upstream, Message q, byte[] wire) throws IOException {
    int millis = (int) timeout.toMillis();
    try (Socket socket = new Socket()) {
      socket.connect(upstream, millis);
      socket.setSoTimeout(millis);
      byte[] framed = new byte[wire.length + 2];
      framed[0] = (byte) (wire.length >>> 8);
      framed[1] = (byte) wire.length;
      System.arraycopy(wire, 0, framed, 2, wire.length);
      OutputStream out = socket.getOutputStream();
      out.write(framed);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] answer = new byte[in.readUnsignedShort()]; // at most 65535: the prefix bounds it
      in.readFully(answer);
      return matching(q, answer).orElseThrow(() -> new IOException("the TCP answer of " + upstream + " does not match the query"));
    }
  }

  /** The answer in {@code wire} if it parses and answers {@code q}: QR set, same ID, same question. */
  static Optional<Message> matching(Message q, byte[] wire) {
    Message m;
    try {
      m = new Message(wire);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    Record asked = q.getQuestion();
    Record got = m.getQuestion();
    boolean same = m.getHeader().getFlag(Flags.QR)
        && m.getHeader().getID() == q.getHeader().getID()
        && got != null
        && got.getName().equals(asked.getName())
        && got.getType() == asked.getType()
        && got.getDClass() == asked.getDClass();
    return same ? Optional.of(m) : Optional.empty();
  }
}
