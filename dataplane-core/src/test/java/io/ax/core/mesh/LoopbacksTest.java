package io.ax.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.model.AppId;
import io.ax.core.net.Endpoints;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Loopbacks}: app A serves tcp 127.0.0.1:8080 (inode 7), really at 127.0.0.1:40000. */
class LoopbacksTest {
  static final AppId A = new AppId("000000a1");
  static final AppId B = new AppId("000000b2");
  static final Inet4Endpoint VIRTUAL = Endpoints.of("127.0.0.1", 8080);
  static final Inet4Endpoint REAL = Endpoints.of("127.0.0.1", 40000);

  private final Loopbacks loopbacks = new Loopbacks();

  @BeforeEach
  void aServes() {
    loopbacks.publish(A, 7, Transport.TCP, VIRTUAL, REAL);
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource(delimiter = '|', value = {
    // app       | transport | virtual          | found
    "000000a1    | TCP       | 127.0.0.1:8080   | true",
    "000000a1    | UDP       | 127.0.0.1:8080   | false",
    "000000a1    | TCP       | 127.0.0.1:8081   | false",
    "000000a1    | TCP       | 127.0.0.2:8080   | false",
    "000000b2    | TCP       | 127.0.0.1:8080   | false",
  })
  void find_onlyTheSameAppTransportAndAddress(String app, Transport transport, String virtual, boolean found) {
    assertThat(loopbacks.find(new AppId(app), transport, Endpoints.parse("v", virtual)).isPresent()).isEqualTo(found);
  }

  @Test
  void find_servedAddress_givesTheRealOne() {
    assertThat(loopbacks.find(A, Transport.TCP, VIRTUAL)).hasValue(REAL);
  }

  @Test
  void withdraw_itsInode_givesTheRealAddressOnceAndForgetsIt() {
    assertThat(loopbacks.withdraw(A, 7)).hasValue(REAL);

    assertThat(loopbacks.withdraw(A, 7)).isEmpty();
    assertThat(loopbacks.find(A, Transport.TCP, VIRTUAL)).isEmpty();
  }

  @Test
  void withdraw_otherInode_emptyAndTheSocketStays() {
    assertThat(loopbacks.withdraw(A, 8)).isEmpty();

    assertThat(loopbacks.find(A, Transport.TCP, VIRTUAL)).hasValue(REAL);
  }

  @Test
  void withdraw_inodeOfAnotherApp_emptyAndTheOwnersSocketStays() {
    assertThat(loopbacks.withdraw(B, 7)).isEmpty();

    assertThat(loopbacks.withdraw(A, 7)).hasValue(REAL);
  }

  @Test
  void forget_app_itsSocketsGoOthersStay() {
    loopbacks.publish(B, 9, Transport.UDP, Endpoints.of("127.0.0.1", 53), Endpoints.of("127.0.0.1", 40001));

    loopbacks.forget(A);

    assertThat(loopbacks.find(A, Transport.TCP, VIRTUAL)).isEmpty();
    assertThat(loopbacks.withdraw(A, 7)).isEmpty();
    assertThat(loopbacks.find(B, Transport.UDP, Endpoints.of("127.0.0.1", 53))).hasValue(Endpoints.of("127.0.0.1", 40001));
  }
}
