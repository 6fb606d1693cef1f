package io.ax.core.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link PortPool#busy}: ports found taken outside the pool are skipped for a while. */
class PortPoolBusyTest {
  private static final Duration BUSY_FOR = Duration.ofSeconds(60);

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private PortPool pool(String csv) {
    return new PortPool(PortRanges.parse("--ports", csv), BUSY_FOR, now::get);
  }

  @Test
  void busy_port_isGivenBackAndSkippedWhileFreePortsRemain() {
    PortPool pool = pool("100-102");
    assertThat(pool.allocate()).hasValue(100);

    pool.busy(100);

    assertThat(pool.inUse()).isZero();
    assertThat(pool.allocate()).hasValue(101);
    assertThat(pool.allocate()).hasValue(102);
    pool.release(101);
    pool.release(102);
    // Next-fit would wrap to 100 here; it is still busy, so 101 comes first.
    assertThat(pool.allocate()).hasValue(101);
  }

  @Test
  void busy_afterTheBusyTime_portIsGivenAgainInItsTurn() {
    PortPool pool = pool("100-101");
    pool.allocate();
    pool.busy(100);
    assertThat(pool.allocate()).hasValue(101);
    pool.release(101);

    now.addAndGet(BUSY_FOR.toNanos());

    assertThat(pool.allocate()).hasValue(100);
  }

  @Test
  void busy_justBeforeTheBusyTimeEnds_stillSkipped() {
    PortPool pool = pool("100-101");
    pool.allocate();
    pool.busy(100);
    assertThat(pool.allocate()).hasValue(101);
    pool.release(101);

    now.addAndGet(BUSY_FOR.toNanos() - 1);

    assertThat(pool.allocate()).hasValue(101);
  }

  @Test
  void busy_everyOtherPortInUse_busyPortIsGivenRatherThanNone() {
    PortPool pool = pool("100-102");
    pool.allocate(); // 100
    pool.allocate(); // 101
    pool.busy(100);
    pool.busy(101);
    assertThat(pool.allocate()).hasValue(102);

    // Its holder may have gone: trying it beats refusing the bind.
    assertThat(pool.allocate()).hasValue(100);
    assertThat(pool.allocate()).hasValue(101);
    assertThat(pool.allocate()).isEmpty();
  }

  @Test
  void busy_portOutsideTheSpace_harmless() {
    PortPool pool = pool("100-101");

    pool.busy(5000);
    pool.busy(-1);

    assertThat(pool.inUse()).isZero();
    assertThat(pool.allocate()).hasValue(100);
  }

  @Test
  void busy_zeroBusyTime_portComesBackInItsTurn() {
    PortPool pool = new PortPool(PortRanges.parse("--ports", "100-101"), Duration.ZERO, now::get);
    pool.allocate();
    pool.busy(100);
    pool.allocate(); // 101
    pool.release(101);

    assertThat(pool.allocate()).hasValue(100);
  }

  @Test
  void busy_thenReserved_reserveTakesIt() {
    // A restored entry names a port that was found busy: the pool trusts the state file.
    PortPool pool = pool("100-101");
    pool.allocate();
    pool.busy(100);

    assertThat(pool.reserve(100)).isTrue();
    assertThat(pool.allocate()).hasValue(101);
    assertThat(pool.allocate()).isEmpty();
  }

  @Test
  void constructor_negativeBusyTime_rejectedNamingIt() {
    assertThatThrownBy(() -> new PortPool(PortRanges.parse("--ports", "1"), Duration.ofSeconds(-1), now::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("busyFor");
  }

  @Test
  void busyFor_isWhatWasGiven() {
    assertThat(pool("1").busyFor()).isEqualTo(BUSY_FOR);
    assertThat(new PortPool(PortRanges.parse("--ports", "1")).busyFor()).isEqualTo(PortPool.DEFAULT_BUSY_FOR);
  }
}
