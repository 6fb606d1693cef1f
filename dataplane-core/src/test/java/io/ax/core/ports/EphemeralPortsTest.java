package io.ax.core.ports;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EphemeralPortsTest {
  private static final PortRange LINUX_DEFAULT = new PortRange(32768, 60999);

  @Test
  void appSwitchsDefaultPool_liesInLinuxsDefaultEphemeralRange() {
    assertThat(EphemeralPorts.exposed(PortRanges.DEFAULT, LINUX_DEFAULT, "")).containsExactly(new PortRange(40000, 60000));
  }

  @Test
  void reservedPorts_andPortsOutsideTheRange_areNotExposed() {
    PortRanges pool = PortRanges.parse("p", "20000-20010,40000-40100,60990-61010");

    assertThat(EphemeralPorts.exposed(pool, LINUX_DEFAULT, "40050-40100,40010"))
        .containsExactly(new PortRange(40000, 40009), new PortRange(40011, 40049), new PortRange(60990, 60999));
    assertThat(EphemeralPorts.exposed(PortRanges.DEFAULT, LINUX_DEFAULT, "40000-60000")).isEmpty();
    assertThat(EphemeralPorts.exposed(PortRanges.parse("p", "4000-5000"), LINUX_DEFAULT, "")).isEqualTo(List.of());
  }
}
