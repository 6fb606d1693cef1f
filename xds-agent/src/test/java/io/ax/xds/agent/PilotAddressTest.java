package io.ax.xds.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PilotAddressTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "localhost:15010|localhost|15010",
      "istiod.istio-system.svc:15012|istiod.istio-system.svc|15012",
      "10.0.0.1:15010|10.0.0.1|15010",
      "[fd00::1]:15012|fd00::1|15012"})
  void parse_valid_hostAndPort(String text, String host, int port) {
    PilotAddress a = PilotAddress.parse(text);
    assertThat(a.host()).isEqualTo(host);
    assertThat(a.port()).isEqualTo(port);
    assertThat(a.toString()).isEqualTo(text);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "localhost|'localhost' is not HOST:PORT",
      "localhost:|port '' is not a number",
      "localhost:x|port 'x' is not a number",
      "localhost:70000|port 70000 is out of range",
      ":15010|is not HOST:PORT",
      "fd00::1:15010|is not HOST:PORT"})
  void parse_invalid_messageNamesTheValue(String text, String message) {
    assertThatThrownBy(() -> PilotAddress.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }
}
