package io.ax.bridge.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Sys;
import org.junit.jupiter.api.Test;

/** One socket's phases: unbound, bound, published; and its virtual peer. */
class SocketStateTest {
  private static final Inet4Endpoint VIRTUAL = new Inet4Endpoint(0x0a000001, 80);
  private static final Inet4Endpoint REAL = new Inet4Endpoint(0, 40000);

  private final SocketState state = new SocketState("0000000a", 7, Transport.TCP, new SocketState.Origin.Seen(Sys.AF_INET), 1L);

  @Test
  void publish_unbound_refusesAndStaysUnbound() {
    assertThat(state.publish(5L)).isFalse();

    assertThat(state.phase()).isEqualTo(new SocketState.Phase.Unbound());
    assertThat(state.virtualLocal()).isEmpty();
    assertThat(state.realLocal()).isEmpty();
  }

  @Test
  void publish_bound_publishesOnceWithItsTime() {
    state.bound(VIRTUAL, REAL);

    assertThat(state.publish(5L)).isTrue();
    assertThat(state.publish(6L)).isFalse();

    assertThat(state.phase()).isEqualTo(new SocketState.Phase.Published(VIRTUAL, REAL, 5L));
    assertThat(state.published()).isTrue();
  }

  @Test
  void bound_published_staysPublishedWithTheNewAddresses() {
    state.bound(VIRTUAL, REAL);
    state.publish(5L);
    Inet4Endpoint otherReal = new Inet4Endpoint(0, 40001);

    state.bound(VIRTUAL, otherReal);

    assertThat(state.phase()).isEqualTo(new SocketState.Phase.Published(VIRTUAL, otherReal, 5L));
  }

  @Test
  void dissolved_connected_hasNoVirtualPeer() {
    state.connectedTo(VIRTUAL);
    assertThat(state.virtualPeer()).contains(VIRTUAL);

    state.dissolved();

    assertThat(state.virtualPeer()).isEmpty();
    assertThat(state.peer()).isEqualTo(new SocketState.Peer.None());
  }
}
