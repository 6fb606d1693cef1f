package io.ax.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ax.admin.v1.App;
import io.ax.admin.v1.Backend;
import io.ax.admin.v1.ListAppsResponse;
import io.ax.admin.v1.LbType;
import io.ax.admin.v1.ListVServicesResponse;
import io.ax.admin.v1.PortMapping;
import io.ax.admin.v1.VService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OutputTest {
  private static final ListVServicesResponse LISTED = ListVServicesResponse.newBuilder()
      .addVservices(VService.newBuilder()
          .setName("myvsvc")
          .setIp("1.1.1.1")
          .setLbType(LbType.ROUND_ROBIN)
          .addPorts(PortMapping.newBuilder().setVport(8000).setAppPort(10000))
          .addBackends(Backend.newBuilder().setIp("10.0.2.15"))
          .setExternal(true))
      .build();

  @ParameterizedTest
  @CsvSource({"wide, WIDE", "json, JSON", "yaml, YAML", "JSON, JSON", "Yaml, YAML"})
  void parse_knownFormat_anyCase(String text, Output expected) {
    assertThat(Output.parse(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"xml", "table", "", "jsonn"})
  void parse_unknownFormat_errorNamesTheFormatAndTheChoices(String text) {
    assertThatThrownBy(() -> Output.parse(text))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("-o: ")
        .hasMessageContaining("'" + text + "'")
        .hasMessageContaining("wide, json or yaml");
  }

  @Test
  void json_listResponse_snakeCaseNamesAndEnumNames() throws Exception {
    JsonNode tree = new ObjectMapper().readTree(Output.json(LISTED));

    JsonNode vs = tree.get("vservices").get(0);
    assertThat(vs.get("name").asText()).isEqualTo("myvsvc");
    assertThat(vs.get("lb_type").asText()).isEqualTo("ROUND_ROBIN");
    assertThat(vs.get("ports").get(0).get("app_port").asInt()).isEqualTo(10000);
  }

  @Test
  void yaml_listResponse_validYamlWithTheSameTreeAsJson() throws Exception {
    String yaml = Output.yaml(LISTED);

    JsonNode fromYaml = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    JsonNode fromJson = new ObjectMapper().readTree(Output.json(LISTED));
    assertThat(yaml).contains("myvsvc").doesNotStartWith("---");
    assertThat(fromYaml.get("vservices").get(0).get("name").asText()).isEqualTo("myvsvc");
    assertThat(fromYaml.get("vservices").get(0).get("external").asBoolean()).isTrue();
    assertThat(fromYaml.get("vservices").get(0).get("ports").get(0).get("vport").asInt()).isEqualTo(8000);
    assertThat(fromYaml.get("vservices").get(0).get("ip").asText()).isEqualTo("1.1.1.1");
    assertThat(fromYaml).hasSameSizeAs(fromJson);
  }

  /**
   * App ids are 8 hex digits, so many are all digits; YAML readers take an unquoted 00001234 for a
   * number (octal in YAML 1.1), so the string must stay quoted to round-trip.
   */
  @ParameterizedTest
  @ValueSource(strings = {"00001234", "12345678", "true", "null", "1e100000"})
  void yaml_stringsThatLookLikeOtherTypes_stayStrings(String appId) throws Exception {
    ListAppsResponse apps = ListAppsResponse.newBuilder().addApps(App.newBuilder().setAppId(appId).setName(appId)).build();

    JsonNode app = new ObjectMapper(new YAMLFactory()).readTree(Output.yaml(apps)).get("apps").get(0);

    assertThat(app.get("app_id").isTextual()).as(Output.yaml(apps)).isTrue();
    assertThat(app.get("app_id").asText()).isEqualTo(appId);
    assertThat(app.get("name").asText()).isEqualTo(appId);
  }

  @Test
  void yaml_emptyList_validYaml() throws Exception {
    String yaml = Output.yaml(ListVServicesResponse.getDefaultInstance());

    JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    assertThat(tree.isObject()).isTrue();
    assertThat(tree.size()).isZero();
  }
}
