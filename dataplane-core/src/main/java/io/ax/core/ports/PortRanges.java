package io.ax.core.ports;

import io.ax.core.field.InvalidFieldException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The port space of {@code --ports}: a csv of ports and ranges such as {@code 4000,6000-8000}.
 * Ranges may not overlap (an overlap is almost always a typo). Immutable; sorted by first port.
 */
public record PortRanges(List<PortRange> ranges) {
  /** AppSwitch's default port space. */
  public static final PortRanges DEFAULT = parse("--ports", "40000-60000");

  public PortRanges {
    ranges = List.copyOf(ranges);
    if (ranges.isEmpty()) {
      throw new IllegalArgumentException("at least one port range is required");
    }
  }

  /** Parses {@code 4000,6000-8000}; errors name {@code field} and the bad item. */
  public static PortRanges parse(String field, String csv) {
    if (csv == null || csv.isBlank()) {
      throw new InvalidFieldException(field, "no ports given (expected a csv of ports or ranges, e.g. '4000,6000-8000')");
    }
    List<PortRange> parsed = new ArrayList<>();
    for (String raw : csv.split(",", -1)) {
      parsed.add(parseItem(field, raw.strip()));
    }
    parsed.sort(Comparator.comparingInt(PortRange::first));
    for (int i = 1; i < parsed.size(); i++) {
      if (parsed.get(i - 1).overlaps(parsed.get(i))) {
        throw new InvalidFieldException(field, "ranges " + parsed.get(i - 1) + " and " + parsed.get(i) + " overlap");
      }
    }
    return new PortRanges(parsed);
  }

  private static PortRange parseItem(String field, String item) {
    int dash = item.indexOf('-');
    if (dash < 0) {
      int p = port(field, item, item);
      return new PortRange(p, p);
    }
    int first = port(field, item.substring(0, dash), item);
    int last = port(field, item.substring(dash + 1), item);
    if (first > last) {
      throw new InvalidFieldException(field, "range '" + item + "' ends before it starts");
    }
    return new PortRange(first, last);
  }

  private static int port(String field, String text, String item) {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new InvalidFieldException(field, "'" + item + "' is not a port or range (expected e.g. 4000 or 6000-8000)");
    }
    int p = Integer.parseInt(text);
    if (p < 1 || p > 65535) {
      throw new InvalidFieldException(field, "port " + p + " in '" + item + "' is out of range (expected 1-65535)");
    }
    return p;
  }

  public int size() {
    return ranges.stream().mapToInt(PortRange::size).sum();
  }

  public boolean contains(int port) {
    return ranges.stream().anyMatch(r -> r.first() <= port && port <= r.last());
  }

  @Override
  public String toString() {
    return ranges.stream().map(PortRange::toString).collect(Collectors.joining(","));
  }
}
