package io.ax.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.bridge.SocketPolicy.ConnectDecision;
import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Errno;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one decision type and the one transport: what their constructors guarantee the bridge. */
class ConnectDecisionTest {
  private static final Inet4Endpoint A = new Inet4Endpoint(0xc0000201, 40000); // 192.0.2.1:40000

  @Test
  void targets_noTarget_fails() {
    assertThatThrownBy(() -> new ConnectDecision.Targets("svc", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one target");
  }

  @Test
  void targets_listChangedAfterwards_keepsItsCopy() {
    List<Inet4Endpoint> list = new ArrayList<>(List.of(A));
    ConnectDecision.Targets t = new ConnectDecision.Targets("svc", list);

    list.add(new Inet4Endpoint(0xc0000202, 40000));

    assertThat(t.targets()).containsExactly(A);
    assertThatThrownBy(() -> t.targets().add(A)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void targetsAndRefuse_missingLogStrings_failNamingThem() {
    assertThatThrownBy(() -> new ConnectDecision.Targets(null, List.of(A))).isInstanceOf(NullPointerException.class).hasMessage("via");
    assertThatThrownBy(() -> new ConnectDecision.Refuse(Errno.ECONNREFUSED, null)).isInstanceOf(NullPointerException.class).hasMessage("reason");
  }

  @Test
  void refuse_equalErrnoAndReason_equal() {
    assertThat(new ConnectDecision.Refuse(Errno.ECONNREFUSED, "no backends")).isEqualTo(new ConnectDecision.Refuse(111, "no backends"));
    assertThat(ConnectDecision.DIRECT).isEqualTo(new ConnectDecision.Direct());
  }

  @Test
  void transportDisplay_lowerCaseName() {
    assertThat(Transport.TCP.display()).isEqualTo("tcp");
    assertThat(Transport.UDP.display()).isEqualTo("udp");
  }

  @Test
  void inet4EndpointCompareTo_addressUnsignedThenPort() {
    // 200.0.0.1 has the high bit set: a signed comparison would sort it before 10.0.0.1.
    List<Inet4Endpoint> list = new ArrayList<>(List.of(
        new Inet4Endpoint(0xc8000001, 5), new Inet4Endpoint(0x0a000001, 90), new Inet4Endpoint(0x0a000002, 1), new Inet4Endpoint(0x0a000001, 80)));

    list.sort(null);

    assertThat(list).extracting(Inet4Endpoint::toString).containsExactly("10.0.0.1:80", "10.0.0.1:90", "10.0.0.2:1", "200.0.0.1:5");
  }
}
