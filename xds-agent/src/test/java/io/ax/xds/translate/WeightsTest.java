package io.ax.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WeightsTest {
  @Test
  void scale_withinTheRange_unchanged() {
    assertThat(Weights.needsScaling(new long[] {1, 80, 1_000_000})).isFalse();
    assertThat(Weights.scale(new long[] {1, 80, 1_000_000})).containsExactly(1, 80, 1_000_000);
  }

  @Test
  void scale_aboveTheRange_dividedByOneFactorKeepingShares() {
    long[] w = {4_294_967_295L, 1_073_741_824L, 1};

    assertThat(Weights.needsScaling(w)).isTrue();
    int[] s = Weights.scale(w);

    assertThat(s[0]).isEqualTo(1_000_000);
    assertThat(s[1]).isEqualTo(250_000);
    assertThat(s[2]).as("a tiny weight still gets a share").isEqualTo(1);
  }
}
