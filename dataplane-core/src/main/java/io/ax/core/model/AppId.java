package io.ax.core.model;

import io.ax.core.field.InvalidFieldException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.random.RandomGenerator;

/** An app's id: 8 lower-case hex digits, as AppSwitch shows them ({@code f00001bb}). */
public record AppId(String value) implements Comparable<AppId> {
  public AppId {
    Objects.requireNonNull(value, "value");
    if (!isHex8(value)) {
      throw new InvalidFieldException("app_id", "'" + value + "' is not 8 lower-case hex digits");
    }
  }

  // A plain loop: every trapped connect makes an AppId, and a stream here cost more than the lookup.
  private static boolean isHex8(String value) {
    if (value.length() != 8) {
      return false;
    }
    for (int i = 0; i < 8; i++) {
      char c = value.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  public static AppId random(RandomGenerator random) {
    return new AppId(HexFormat.of().toHexDigits(random.nextInt()));
  }

  @Override
  public int compareTo(AppId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
