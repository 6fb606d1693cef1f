package io.ax.core.model;

import io.ax.core.field.InvalidFieldException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a node or a backend runs, Istio's and Envoy's {@code region/zone/subzone}; any part may
 * be empty (a backend of unknown locality has all three empty). Immutable.
 */
public record Locality(String region, String zone, String subzone) {
  public static final Locality NONE = new Locality("", "", "");

  // Kubernetes topology label values: up to 63 of letters, digits, '-', '_' and '.'.
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?|");

  public Locality {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(subzone, "subzone");
  }

  /**
   * Parses {@code region/zone/subzone}, {@code region/zone} or {@code region}; empty is
   * {@link #NONE}.
   *
   * @throws InvalidFieldException naming {@code field} and the bad value
   */
  public static Locality parse(String field, String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      return NONE;
    }
    String[] p = t.split("/", -1);
    if (p.length > 3) {
      throw new InvalidFieldException(field, "'" + text + "' is not a locality (expected region/zone/subzone)");
    }
    for (String part : p) {
      if (!PART.matcher(part).matches()) {
        throw new InvalidFieldException(field, "'" + text + "' is not a locality (expected region/zone/subzone of letters, digits, '-', '_' and '.')");
      }
    }
    return new Locality(p[0], p.length > 1 ? p[1] : "", p.length > 2 ? p[2] : "");
  }

  public boolean isNone() {
    return equals(NONE);
  }

  /**
   * Whether this locality matches an Istio locality pattern ({@code region1/zone1/*},
   * {@code region1/*}, {@code *}, {@code region1}): each part equal, {@code *} matching the rest,
   * and a shorter pattern matching every locality under it (Istio's {@code util.LocalityMatch}).
   */
  public boolean matches(String pattern) {
    String[] p = pattern.strip().split("/", -1);
    String[] mine = {region, zone, subzone};
    for (int i = 0; i < p.length && i < 3; i++) {
      if (p[i].equals("*")) {
        return true;
      }
      if (!p[i].equals(mine[i])) {
        return false;
      }
    }
    return true;
  }

  /** {@code region/zone/subzone} without trailing empty parts; empty for {@link #NONE}. */
  @Override
  public String toString() {
    if (!subzone.isEmpty()) {
      return region + "/" + zone + "/" + subzone;
    }
    return zone.isEmpty() ? region : region + "/" + zone;
  }
}
