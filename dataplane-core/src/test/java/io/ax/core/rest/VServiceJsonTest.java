package io.ax.core.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.PortMapping;
import io.ax.core.model.VService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VServiceJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void parse_minimalBody_randomInternalNoBackendsNoSourceIp() throws Exception {
    VService vs = VServiceJson.parse(json("{\"name\":\"web\",\"ip\":\"10.96.0.1\",\"ports\":[{\"extport\":80,\"appport\":8080}]}"));

    assertThat(vs.name()).isEqualTo("web");
    assertThat(vs.policy()).isEqualTo(LbPolicy.RANDOM);
    assertThat(vs.exposure()).isEqualTo(VService.Exposure.INTERNAL);
    assertThat(vs.backends()).isEmpty();
    assertThat(vs.sourceIp()).isEmpty();
    assertThat(vs.ports()).containsExactly(new PortMapping(80, 8080));
  }

  @Test
  void parse_extportsAndPorts_bothMappedAndExternal() throws Exception {
    VService vs = VServiceJson.parse(json("""
        {"name":"web","ip":"10.96.0.1","type":"roundrobin","sourceip":"",
         "extports":[{"extport":31111,"appport":9080}],"ports":[{"extport":80,"appport":8080}],"backendips":null}"""));

    assertThat(vs.exposure()).isEqualTo(VService.Exposure.EXTERNAL);
    assertThat(vs.policy()).isEqualTo(LbPolicy.ROUND_ROBIN);
    assertThat(vs.ports()).containsExactly(new PortMapping(31111, 9080), new PortMapping(80, 8080));
    // An empty sourceip means "let the kernel choose", as AppSwitch sent it.
    assertThat(vs.sourceIp()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      {"name":"w","ip":"1.1.1.1","ports":[{"extport":"80"}]}          | ports[0].extport | the string "80"
      {"name":"w","ip":"1.1.1.1","ports":[{"extport":true}]}          | ports[0].extport | the boolean true
      {"name":"w","ip":"1.1.1.1","ports":[{"extport":{}}]}            | ports[0].extport | an object
      {"name":"w","ip":"1.1.1.1","ports":[{"extport":99999999999999999999}]} | ports[0].extport | expected an integer port
      {"name":"w","ip":"1.1.1.1","ports":[{"extport":-1}]}            | ports[0].extport | out of range
      {"name":"w","ip":"1.1.1.1","ports":{}}                          | ports            | an object
      {"name":"w","ip":"1.1.1.1","backendips":[[]],"ports":[{"extport":80}]} | backendips[0] | an array
      {"name":["w"],"ip":"1.1.1.1","ports":[{"extport":80}]}          | name             | an array
      {"name":"w","ip":null,"ports":[{"extport":80}]}                 | ip               | is required
      {"name":"w","ip":"1.1.1.1","type":3,"ports":[{"extport":80}]}   | type             | the number 3
      """)
  void parse_wrongType_namesFieldAndWhatCame(String body, String field, String said) {
    assertThatThrownBy(() -> VServiceJson.parse(json(body)))
        .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageContaining(said);
  }

  @Test
  void parse_unknownField_listsTheKnownOnes() {
    assertThatThrownBy(() -> VServiceJson.parse(json("{\"name\":\"w\",\"vip\":\"1.1.1.1\"}")))
        .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("vip"))
        .hasMessageContaining("backendips, connecttimeoutms, extports, force, ip, maxconnections, name, outlierejectionms, outlierfailures, outliermaxpercent, ports, sourceip, type");
  }

  @Test
  void parse_resilienceFields_setTheVservicesResilience() throws Exception {
    VService vs = VServiceJson.parse(json("""
        {"name":"web","ip":"10.96.0.1","ports":[{"extport":80}],"connecttimeoutms":300,"maxconnections":2,"outlierfailures":3,"outliermaxpercent":50}"""));

    assertThat(vs.resilience()).isEqualTo(new io.ax.core.model.Resilience(java.util.Optional.of(java.time.Duration.ofMillis(300)), java.util.OptionalInt.of(2),
        java.util.Optional.of(new io.ax.core.lb.OutlierDetection(3, java.time.Duration.ofSeconds(30), 50))));
  }

  @Test
  void parse_zeroMaxConnections_namesTheField() {
    assertThatThrownBy(() -> VServiceJson.parse(json("{\"name\":\"w\",\"ip\":\"10.96.0.1\",\"ports\":[{\"extport\":80}],\"maxconnections\":0}")))
        .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("maxconnections"))
        .hasMessageContaining("expected a whole number 1-2147483647, got the number 0");
  }
}
