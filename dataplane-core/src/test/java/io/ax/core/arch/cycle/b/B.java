package io.ax.core.arch.cycle.b;

import io.ax.core.arch.cycle.a.A;

/** The other half of a deliberate package cycle, for {@code PackageCyclesTest}. */
public record B(A a) {
  public static B none() {
    return new B(null);
  }
}
