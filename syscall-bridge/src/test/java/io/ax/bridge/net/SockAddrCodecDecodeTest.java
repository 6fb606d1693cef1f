package io.ax.bridge.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ax.bridge.net.SockAddrCodec.BadAddressException;
import io.ax.bridge.sys.Errno;
import io.ax.bridge.sys.Sys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SockAddrCodec#decode} on what a hostile app may hand over: every length, odd families,
 * buffers shorter than the length it claims, and random bytes. The only way out is a result or a
 * {@link BadAddressException} carrying EINVAL or EAFNOSUPPORT.
 */
class SockAddrCodecDecodeTest {
  private static final Logger log = LoggerFactory.getLogger(SockAddrCodecDecodeTest.class);
  private static final Inet4Endpoint ENDPOINT = new Inet4Endpoint(0xc0000201, 8080); // 192.0.2.1:8080
  private static final byte[] ADDR6 = HexFormat.of().parseHex("20010db8000000000000000000000001");
  private static final int FLOW = 0x01020304;
  private static final int SCOPE = 7;
  private static final int OK = 0; // "decodes" in the tables below

  /** A valid address of {@code family}, padded with 0x55 to 30 bytes (more than any length tried). */
  static byte[] padded(int family) {
    byte[] valid = family == Sys.AF_INET
        ? SockAddrCodec.encode(ENDPOINT, Sys.AF_INET)
        : SockAddrCodec.encode(new SockAddr.V6(ADDR6, 8080, FLOW, SCOPE));
    byte[] b = new byte[30];
    Arrays.fill(b, (byte) 0x55);
    System.arraycopy(valid, 0, b, 0, valid.length);
    return b;
  }

  /** Address family x socket family x every length 0..30, with the errno the kernel would give. */
  static Stream<Arguments> everyLength() {
    List<Arguments> rows = new ArrayList<>();
    for (int len = 0; len <= 30; len++) {
      int v4 = len < SockAddrCodec.SOCKADDR_IN_SIZE ? Errno.EINVAL : OK;
      rows.add(Arguments.of(Sys.AF_INET, Sys.AF_INET, len, v4));
      rows.add(Arguments.of(Sys.AF_INET, Sys.AF_INET6, len, v4));
      rows.add(Arguments.of(Sys.AF_INET6, Sys.AF_INET6, len, len < SockAddrCodec.SOCKADDR_IN6_MIN ? Errno.EINVAL : OK));
      rows.add(Arguments.of(Sys.AF_INET6, Sys.AF_INET, len, len < 2 ? Errno.EINVAL : Errno.EAFNOSUPPORT));
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "family {0} on socket {1}, len {2} -> {3}")
  @MethodSource("everyLength")
  void decode_everyLength_refusesShortOrForeignAndDecodesTheRest(int family, int socketFamily, int len, int expectedErrno)
      throws BadAddressException {
    byte[] b = padded(family);
    if (expectedErrno != OK) {
      BadAddressException e = catchThrowableOfType(BadAddressException.class, () -> SockAddrCodec.decode(b, len, socketFamily));
      assertThat(e).as("decode must refuse").isNotNull();
      assertThat(e.errno()).isEqualTo(expectedErrno);
      return;
    }
    SockAddr decoded = SockAddrCodec.decode(b, len, socketFamily);
    if (family == Sys.AF_INET) {
      assertThat(decoded).isEqualTo(new SockAddr.V4(ENDPOINT));
    } else {
      // RFC 2133's 24-byte sockaddr_in6 has no scope id: it reads as 0, not as the padding.
      int scope = len >= SockAddrCodec.SOCKADDR_IN6_SIZE ? SCOPE : 0;
      assertThat(decoded).isEqualTo(new SockAddr.V6(ADDR6, 8080, FLOW, scope));
    }
  }

  @ParameterizedTest(name = "family bytes {0} {1} -> {2}")
  @CsvSource({
    // Byte 0 is the low byte: sa_family is host order (little endian), unlike the port.
    "0, 0, unspec",
    "2, 0, v4",
    "0, 2, EAFNOSUPPORT",
    "10, 0, v6",
    "0, 10, EAFNOSUPPORT",
    "1, 0, EAFNOSUPPORT", // AF_UNIX
    "16, 0, EAFNOSUPPORT", // AF_NETLINK
    "17, 0, EAFNOSUPPORT", // AF_PACKET
    "2, 1, EAFNOSUPPORT", // 258
    "10, 1, EAFNOSUPPORT", // 266
    "255, 255, EAFNOSUPPORT",
  })
  void decode_familyBytes_readLittleEndianAndOddFamiliesRefused(int low, int high, String expected) throws BadAddressException {
    byte[] b = padded(Sys.AF_INET6);
    b[0] = (byte) low;
    b[1] = (byte) high;

    if (expected.equals("EAFNOSUPPORT")) {
      BadAddressException e = catchThrowableOfType(BadAddressException.class, () -> SockAddrCodec.decode(b, 28, Sys.AF_INET6));
      assertThat(e).as("decode must refuse").isNotNull();
      assertThat(e.errno()).isEqualTo(Errno.EAFNOSUPPORT);
      assertThat(e).hasMessageContaining(String.valueOf(low | (high << 8)));
      return;
    }
    SockAddr decoded = SockAddrCodec.decode(b, 28, Sys.AF_INET6);
    switch (expected) {
      case "unspec" -> assertThat(decoded).isEqualTo(new SockAddr.Unspec());
      case "v4" -> assertThat(decoded).isInstanceOf(SockAddr.V4.class);
      case "v6" -> assertThat(decoded).isInstanceOf(SockAddr.V6.class);
      default -> throw new AssertionError(expected);
    }
  }

  @ParameterizedTest(name = "buffer {0} bytes, len {1}")
  @CsvSource({"0, 2", "1, 2", "15, 16", "16, 17", "23, 24", "27, 28", "28, 29", "28, 128", "16, 2147483647", "28, -1", "28, -2147483648", "0, 0"})
  void decode_lengthBeyondBufferOrNegative_isEinval(int bufferSize, int len) {
    byte[] b = Arrays.copyOf(padded(Sys.AF_INET6), bufferSize);

    BadAddressException e = catchThrowableOfType(BadAddressException.class, () -> SockAddrCodec.decode(b, len, Sys.AF_INET6));

    assertThat(e).as("decode must refuse").isNotNull();
    assertThat(e.errno()).isEqualTo(Errno.EINVAL);
  }

  @Test
  void decode_unspecWithTwoBytes_isUnspec() throws BadAddressException {
    assertThat(SockAddrCodec.decode(new byte[] {0, 0}, 2, Sys.AF_INET)).isEqualTo(new SockAddr.Unspec());
  }

  @Test
  void decode_bufferLongerThanLen_readsOnlyLen() throws BadAddressException {
    byte[] b = padded(Sys.AF_INET6); // bytes 24..27 hold scope id 7

    SockAddr.V6 decoded = (SockAddr.V6) SockAddrCodec.decode(b, 24, Sys.AF_INET6);

    assertThat(decoded.scopeId()).isZero();
  }

  /**
   * A tiny fuzz test: 10,000 random byte arrays of random lengths, families biased towards the
   * interesting ones. Anything decoded must encode back to the bytes it came from.
   */
  @Test
  void decode_randomBytes_onlyBadAddressExceptionAndDecodedValuesReencode() {
    String fixed = System.getProperty("ax.test.seed");
    long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
    log.info("[sockaddr-fuzz] random seed {} (replay with -Dax.test.seed={})", seed, seed);
    SplittableRandom random = new SplittableRandom(seed);
    int[] families = {Sys.AF_UNSPEC, Sys.AF_INET, Sys.AF_INET6, Sys.AF_UNIX};
    int[] outcomes = new int[2];
    for (int i = 0; i < 10_000; i++) {
      byte[] b = new byte[random.nextInt(0, 41)];
      random.nextBytes(b);
      if (b.length >= 2 && random.nextInt(4) != 0) {
        b[0] = (byte) families[random.nextInt(families.length)];
        b[1] = 0;
      }
      int len = random.nextInt(8) == 0 ? random.nextInt() : random.nextInt(-1, b.length + 3);
      int socketFamily = random.nextInt(8) == 0 ? random.nextInt(0, 64) : (random.nextBoolean() ? Sys.AF_INET : Sys.AF_INET6);
      String input = "iteration " + i + ", seed " + seed + ", bytes " + HexFormat.of().formatHex(b) + ", len " + len + ", socket " + socketFamily;
      try {
        SockAddr a = SockAddrCodec.decode(b, len, socketFamily);
        outcomes[0]++;
        assertReencodes(a, b, len, input);
      } catch (BadAddressException e) {
        outcomes[1]++;
        assertThat(e.errno()).as(input).isIn(Errno.EINVAL, Errno.EAFNOSUPPORT);
        assertThat(e.getMessage()).as(input).isNotBlank();
      } catch (RuntimeException e) {
        throw new AssertionError("decode threw " + e + " on " + input, e);
      }
    }
    log.info("[sockaddr-fuzz] {} decoded, {} refused", outcomes[0], outcomes[1]);
    assertThat(outcomes).as("the corpus exercises both outcomes").doesNotContain(0);
  }

  private static void assertReencodes(SockAddr a, byte[] b, int len, String input) {
    byte[] again = SockAddrCodec.encode(a);
    switch (a) {
      case SockAddr.Unspec u -> assertThat(b[0] | b[1]).as(input).isZero();
      // sin_zero (bytes 8..15) is not kept: compare family, port and address.
      case SockAddr.V4 v4 -> assertThat(Arrays.copyOf(again, 8)).as(input).isEqualTo(Arrays.copyOf(b, 8));
      case SockAddr.V6 v6 -> {
        // A partial scope id (len 25..27) is not read: the kernel takes 24 bytes as RFC 2133's form.
        int n = len >= SockAddrCodec.SOCKADDR_IN6_SIZE ? SockAddrCodec.SOCKADDR_IN6_SIZE : SockAddrCodec.SOCKADDR_IN6_MIN;
        assertThat(Arrays.copyOf(again, n)).as(input).isEqualTo(Arrays.copyOf(b, n));
        assertThat(IntStream.range(n, again.length).allMatch(k -> again[k] == 0)).as(input).isTrue();
      }
    }
  }
}
