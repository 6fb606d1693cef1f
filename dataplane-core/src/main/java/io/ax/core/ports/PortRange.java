package io.ax.core.ports;

/** An inclusive range of ports, {@code first <= last}. */
public record PortRange(int first, int last) {
  public PortRange {
    if (first < 1 || last > 65535 || first > last) {
      throw new IllegalArgumentException("invalid port range " + first + "-" + last);
    }
  }

  public int size() {
    return last - first + 1;
  }

  public boolean overlaps(PortRange o) {
    return first <= o.last && o.first <= last;
  }

  @Override
  public String toString() {
    return first == last ? Integer.toString(first) : first + "-" + last;
  }
}
