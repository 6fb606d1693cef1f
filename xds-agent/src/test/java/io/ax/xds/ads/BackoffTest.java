package io.ax.xds.ads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
  final Backoff exact = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), 2.0, 0.0);

  @Test
  void delay_noJitter_doublesFromInitialUpToMax() {
    SplittableRandom r = new SplittableRandom(1);
    assertThat(exact.delay(0, r)).isEqualTo(Duration.ofMillis(100));
    assertThat(exact.delay(1, r)).isEqualTo(Duration.ofMillis(200));
    assertThat(exact.delay(8, r)).isEqualTo(Duration.ofMillis(25_600));
    assertThat(exact.delay(9, r)).isEqualTo(Duration.ofSeconds(30));
    assertThat(exact.delay(1_000, r)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void delay_withJitter_staysWithinTwentyPercentAndUnderMax() {
    long seed = System.nanoTime();
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 1_000; i++) {
      long ms = Backoff.RECONNECT.delay(2, r).toMillis();
      assertThat(ms).as("seed %d", seed).isBetween(320L, 480L);
      assertThat(Backoff.RECONNECT.delay(20, r)).as("seed %d", seed).isLessThanOrEqualTo(Duration.ofSeconds(30));
    }
  }

  @Test
  void constructor_badValues_nameTheField() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 2, 0)).hasMessageStartingWith("initial");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0)).hasMessageStartingWith("max");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5, 0)).hasMessageStartingWith("multiplier");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 1.0)).hasMessageStartingWith("jitter");
    assertThatThrownBy(() -> exact.delay(-1, new SplittableRandom())).hasMessageStartingWith("attempt");
  }
}
