package io.ax.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.net.Ipv4;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The small value types: backends, port mappings, app ids and the field error itself. */
class ModelValuesTest {
  private static final Logger log = LoggerFactory.getLogger(ModelValuesTest.class);

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @CsvSource(
      delimiter = '|',
      value = {"10.0.0.5 | 10.0.0.5 | -1", "10.0.0.5:9000 | 10.0.0.5 | 9000", "' 10.0.0.5:1 ' | 10.0.0.5 | 1"})
  void backendParse_ipOrIpPort_givesBackend(String text, String ip, int port) {
    Backend b = Backend.parse("backendips[0]", text);

    assertThat(b.ip()).isEqualTo(Ipv4.parse("ip", ip));
    assertThat(b.port()).isEqualTo(port < 0 ? OptionalInt.empty() : OptionalInt.of(port));
    assertThat(Backend.parse("x", b.toString())).isEqualTo(b);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", "10.0.0", "10.0.0.5:", "10.0.0.5:0", "10.0.0.5:65536", "10.0.0.5:80:80", "host:80", "010.0.0.5"})
  void backendParse_malformed_failsNamingField(String text) {
    assertThatThrownBy(() -> Backend.parse("backendips[2]", text))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("backendips[2]: ");
  }

  @Test
  void backendNew_portOutOfRange_refused() {
    assertThatThrownBy(() -> new Backend(Ipv4.parse("ip", "10.0.0.5"), OptionalInt.of(0))).isInstanceOf(InvalidFieldException.class);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @CsvSource(delimiter = '|', value = {"80 | 80 | 80", "80:8080 | 80 | 8080", "' 443:8443 ' | 443 | 8443", "65535:1 | 65535 | 1"})
  void portMappingParse_valid_givesMapping(String text, int vport, int appPort) {
    assertThat(PortMapping.parse("ports[0]", text)).isEqualTo(new PortMapping(vport, appPort));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", "0", "0:80", "80:0", "80:", ":80", "80:65536", "http", "80-90", "80:90:100"})
  void portMappingParse_malformed_failsNamingField(String text) {
    assertThatThrownBy(() -> PortMapping.parse("ports[3]", text))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("ports[3]: ");
  }

  @Test
  void portMappingToString_asAppSwitchPrintsIt() {
    assertThat(new PortMapping(8000, 10000)).hasToString("{8000 10000}");
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"f00001bb", "00000000", "ffffffff", "0123abcd"})
  void appIdNew_eightLowerHex_accepted(String value) {
    assertThat(new AppId(value)).hasToString(value);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", "f00001b", "f00001bbb", "F00001BB", "g00001bb", "f00001b ", "0x0001bb"})
  void appIdNew_otherText_refusedNamingValue(String value) {
    assertThatThrownBy(() -> new AppId(value))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageStartingWith("app_id: ")
        .hasMessageContaining("'" + value + "'");
  }

  @Test
  void appIdRandom_alwaysValid() {
    long seed = System.nanoTime();
    log.info("[model-test app-id] random seed {}", seed);
    SplittableRandom random = new SplittableRandom(seed);

    for (int i = 0; i < 1000; i++) {
      assertThat(AppId.random(random).value()).as("seed %d", seed).matches("[0-9a-f]{8}");
    }
  }

  @Test
  void invalidField_keepsFieldAndReason_andRenames() {
    InvalidFieldException e = new InvalidFieldException("--ip", "'x' is not an IPv4 address");

    assertThat(e.field()).isEqualTo("--ip");
    assertThat(e.reason()).isEqualTo("'x' is not an IPv4 address");
    assertThat(e).hasMessage("--ip: 'x' is not an IPv4 address");

    InvalidFieldException renamed = e.renamed("ip");
    assertThat(renamed.field()).isEqualTo("ip");
    assertThat(renamed).hasMessage("ip: 'x' is not an IPv4 address");
  }

  @Test
  void invalidField_fieldWithColonAndSpace_reasonStillExact() {
    InvalidFieldException e = new InvalidFieldException("a: b", "c: d");

    assertThat(e.reason()).isEqualTo("c: d");
  }
}
