package io.ax.core.arch.cycle.a;

import io.ax.core.arch.cycle.b.B;

/** Half of a deliberate package cycle, for {@code PackageCyclesTest}. */
public record A(B b) {}
