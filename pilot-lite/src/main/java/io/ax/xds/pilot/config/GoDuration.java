package io.ax.xds.pilot.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Istio's YAML writes them, Go's {@code time.ParseDuration} syntax: one or more
 * decimal numbers each with a unit, {@code 10s}, {@code 1m30s}, {@code 8ms}, {@code 1.5h}
 * (units ns, us, µs, ms, s, m, h). No sign: no Istio duration is negative.
 */
final class GoDuration {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
  private static final Map<String, Long> NANOS = Map.of(
      "ns", 1L, "us", 1_000L, "µs", 1_000L, "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);
  /** A day and a bit: far beyond any timeout of the mesh, and far from overflowing a long of nanos. */
  private static final long MAX_NANOS = 100_000L * 1_000_000_000L;

  private GoDuration() {}

  /** The duration at {@code at}, at least {@code min}. */
  static Duration parse(At at, Duration min) throws ConfigException {
    String text = at.string().strip();
    Matcher m = PART.matcher(text);
    int pos = 0;
    BigDecimal nanos = BigDecimal.ZERO;
    while (pos < text.length() && m.find(pos) && m.start() == pos) {
      nanos = nanos.add(new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1)).multiply(BigDecimal.valueOf(NANOS.get(m.group(2)))));
      pos = m.end();
      if (nanos.compareTo(BigDecimal.valueOf(MAX_NANOS)) > 0) {
        throw at.error("'" + text + "' is too long a duration (expected at most 100000s)");
      }
    }
    if (pos == 0 || pos != text.length()) {
      throw at.error("'" + text + "' is not a duration (expected a number and a unit, e.g. 10s, 500ms, 1m)");
    }
    Duration d = Duration.ofNanos(nanos.longValue());
    if (d.compareTo(min) < 0) {
      throw at.error("'" + text + "' is shorter than " + min.toMillis() + "ms, the least Istio accepts");
    }
    return d;
  }
}
