package io.ax.core.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.PortMapping;
import io.ax.core.model.VService;
import io.ax.core.state.DataplaneState;
import io.ax.core.state.DataplaneStore;
import io.ax.core.state.StatePersistence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code POST oper/createvirtualservice}: AppSwitch's body in, AppSwitch's answer out. */
class RestApiCreateTest {
  static final String CREATE = "/appswitch/v1/oper/createvirtualservice";
  static final String EXTERNAL = """
      {"name":"external","ip":"1.1.1.1","type":"Random","backendips":["10.0.0.5"],"extports":[{"extport":31111,"appport":9080}]}""";
  /** Created before each bad input, so that duplicates and clashes have something to clash with. */
  static final String EXISTING = """
      {"name":"existing","ip":"2.2.2.2","backendips":["10.0.0.6"],"extports":[{"extport":31111,"appport":9080}]}""";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DataplaneStore store = new DataplaneStore(DataplaneState.EMPTY, StatePersistence.NONE);
  private final RestApi api = new RestApi(store, s -> Map.of(), Map::of);

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static JsonNode tree(RestResponse r) {
    try {
      return JSON.readTree(r.json());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.json(), e);
    }
  }

  @Test
  void handle_appSwitchCreate_answersSuccessShapeAndStoresExternalVService() throws IOException {
    RestResponse r = api.handle("POST", CREATE, bytes(EXTERNAL));

    assertThat(r.status()).isEqualTo(200);
    assertThat(tree(r)).isEqualTo(JSON.readTree("{\"name\":\"external\",\"result\":true,\"details\":\"Success\",\"portmap\":null}"));
    VService vs = store.current().vservices().get("external");
    assertThat(vs).isNotNull();
    assertThat(vs.exposure()).isEqualTo(VService.Exposure.EXTERNAL);
    assertThat(vs.ports()).containsExactly(new PortMapping(31111, 9080));
    assertThat(vs.ip()).hasToString("1.1.1.1");
    assertThat(vs.backends()).extracting(Object::toString).containsExactly("10.0.0.5");
    assertThat(vs.policy()).isEqualTo(LbPolicy.RANDOM);
  }

  @Test
  void handle_portsInsteadOfExtports_internalVServiceWithRoundRobin() {
    String body = """
        {"name":"web","ip":"10.96.0.1","type":"RoundRobin","backendips":["10.0.0.5:8080"],"ports":[{"extport":80}],"sourceip":"192.168.1.2"}""";

    RestResponse r = api.handle("POST", CREATE, bytes(body));

    assertThat(r.status()).isEqualTo(200);
    VService vs = store.current().vservices().get("web");
    assertThat(vs.exposure()).isEqualTo(VService.Exposure.INTERNAL);
    assertThat(vs.policy()).isEqualTo(LbPolicy.ROUND_ROBIN);
    // appport defaults to the extport.
    assertThat(vs.ports()).containsExactly(new PortMapping(80, 80));
    assertThat(vs.backends()).extracting(Object::toString).containsExactly("10.0.0.5:8080");
    assertThat(vs.sourceIp()).map(Object::toString).contains("192.168.1.2");
  }

  static Stream<Arguments> badCreates() {
    return Stream.of(
        Arguments.of("bad JSON", "{\"name\":", 400, "body"),
        Arguments.of("a JSON array", "[" + EXTERNAL + "]", 400, "body"),
        Arguments.of("empty body", "", 400, "body"),
        Arguments.of("whitespace body", "  \n", 400, "body"),
        Arguments.of("JSON null", "null", 400, "body"),
        Arguments.of("missing name", EXTERNAL.replace("\"name\":\"external\",", ""), 400, "name"),
        Arguments.of("name with bad chars", EXTERNAL.replace("\"external\"", "\"ext_ernal!\""), 400, "name"),
        Arguments.of("upper-case name", EXTERNAL.replace("\"external\"", "\"External\""), 400, "name"),
        Arguments.of("ip 1.1.1", EXTERNAL.replace("\"1.1.1.1\"", "\"1.1.1\""), 400, "ip"),
        Arguments.of("ip as number", EXTERNAL.replace("\"1.1.1.1\"", "16843009"), 400, "ip"),
        Arguments.of("ip 0.0.0.0", EXTERNAL.replace("\"1.1.1.1\"", "\"0.0.0.0\""), 400, "ip"),
        Arguments.of("backendips not an array", EXTERNAL.replace("[\"10.0.0.5\"]", "\"10.0.0.5\""), 400, "backendips"),
        Arguments.of("backendips[1] invalid", EXTERNAL.replace("[\"10.0.0.5\"]", "[\"10.0.0.5\",\"10.0.0\"]"), 400, "backendips[1]"),
        Arguments.of("backendips[0] a number", EXTERNAL.replace("[\"10.0.0.5\"]", "[5]"), 400, "backendips[0]"),
        Arguments.of("extport 70000", EXTERNAL.replace("31111", "70000"), 400, "extports[0].extport"),
        Arguments.of("extport \"abc\"", EXTERNAL.replace("31111", "\"abc\""), 400, "extports[0].extport"),
        Arguments.of("extport 1.5", EXTERNAL.replace("31111", "1.5"), 400, "extports[0].extport"),
        Arguments.of("extport 0", EXTERNAL.replace("31111", "0"), 400, "extports[0].extport"),
        Arguments.of("appport null", EXTERNAL.replace("9080", "null"), 400, "extports[0].appport"),
        Arguments.of("extports[0] not an object", EXTERNAL.replace("[{\"extport\":31111,\"appport\":9080}]", "[31111]"), 400, "extports[0]"),
        Arguments.of("unknown port field", EXTERNAL.replace("\"appport\"", "\"app_port\""), 400, "extports[0].app_port"),
        Arguments.of("no ports at all", EXTERNAL.replace("[{\"extport\":31111,\"appport\":9080}]", "[]"), 400, "ports"),
        Arguments.of("vport mapped twice", EXTERNAL.replace("{\"extport\":31111,\"appport\":9080}", "{\"extport\":31111},{\"extport\":31111}"), 400, "extports"),
        Arguments.of("unknown field backendip", EXTERNAL.replace("backendips", "backendip"), 400, "backendip"),
        Arguments.of("unknown type Weighted", EXTERNAL.replace("\"Random\"", "\"Weighted\""), 400, "type"),
        Arguments.of("sourceip invalid", EXTERNAL.replace("\"type\"", "\"sourceip\":\"1.2\",\"type\""), 400, "sourceip"),
        // The store's refusals: no field is at fault on its own, so none is named.
        Arguments.of("duplicate name", EXTERNAL.replace("\"external\"", "\"existing\""), 409, null),
        Arguments.of("vIP:vport served by another", EXTERNAL.replace("\"1.1.1.1\"", "\"2.2.2.2\""), 409, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCreates")
  void handle_badCreate_refusedNamingFieldAndStoreUnchanged(String label, String body, int status, String field) {
    assertThat(api.handle("POST", CREATE, bytes(EXISTING)).status()).isEqualTo(200);
    DataplaneState before = store.current();

    RestResponse r = api.handle("POST", CREATE, bytes(body));

    assertThat(r.status()).as(r.json()).isEqualTo(status);
    JsonNode n = tree(r);
    assertThat(n.get("result").asBoolean(true)).isFalse();
    assertThat(n.get("details").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    if (field == null) {
      assertThat(n.has("field")).as(r.json()).isFalse();
      assertThat(n.get("details").asText()).contains("'existing'");
    } else {
      assertThat(n.path("field").asText()).as(r.json()).isEqualTo(field);
      assertThat(n.get("details").asText()).startsWith(field + ": ");
    }
    assertThat(store.current()).isSameAs(before);
  }

  @Test
  void handle_createOverALiveApp_conflictUntilForced() {
    store.putServer(new io.ax.core.model.ServerEntry("s1", new io.ax.core.model.AppId("a0000001"), "web", io.ax.bridge.SocketPolicy.Transport.TCP,
        io.ax.core.net.Endpoints.parse("s", "10.96.0.9:80"), io.ax.core.net.Endpoints.parse("h", "192.0.2.1:40000"), io.ax.core.model.Labels.DEFAULT, "node1", "c"));
    String body = """
        {"name":"thief","ip":"10.96.0.9","backendips":["10.0.0.66"],"ports":[{"extport":80,"appport":8080}]""";

    RestResponse refused = api.handle("POST", CREATE, bytes(body + "}"));
    RestResponse badForce = api.handle("POST", CREATE, bytes(body + ",\"force\":\"yes\"}"));
    RestResponse forced = api.handle("POST", CREATE, bytes(body + ",\"force\":true}"));

    assertThat(refused.status()).isEqualTo(409);
    assertThat(tree(refused).get("details").asText()).contains("10.96.0.9:80 is served by app a0000001");
    assertThat(badForce.status()).isEqualTo(400);
    assertThat(tree(badForce).get("field").asText()).isEqualTo("force");
    assertThat(forced.status()).isEqualTo(200);
  }

  @Test
  void handle_validCreateAfterEveryBadOne_stillWorks() {
    api.handle("POST", CREATE, bytes(EXISTING));
    DataplaneState before = store.current();
    badCreates().forEach(a -> api.handle("POST", CREATE, bytes((String) a.get()[1])));
    assertThat(store.current()).isSameAs(before);

    RestResponse r = api.handle("POST", CREATE, bytes(EXTERNAL));

    assertThat(r.status()).isEqualTo(200);
    assertThat(store.current().vservices()).containsOnlyKeys("existing", "external");
  }

  /**
   * Bodies Jackson reads leniently by default: a second value after the object, and a key given
   * twice (the last one wins). VServiceJson promises to be strict ("a typo silently ignored is
   * worse than a refusal"), so both must be refused rather than half-read.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("ambiguousBodies")
  void handle_ambiguousJson_refusedAndStoreUnchanged(String label, String body, String field) {
    RestResponse r = api.handle("POST", CREATE, bytes(body));

    assertThat(r.status()).as(r.json()).isEqualTo(400);
    // A parser-level refusal names the body; one that knows the key may name it instead.
    assertThat(tree(r).path("field").asText()).isIn("body", field);
    assertThat(store.current().vservices()).isEmpty();
  }

  static Stream<Arguments> ambiguousBodies() {
    return Stream.of(
        Arguments.of("a second JSON value after the object", EXTERNAL + " {\"name\":\"x\"}", "body"),
        Arguments.of("a key given twice", EXTERNAL.replace("\"name\":\"external\"", "\"name\":\"one\",\"name\":\"two\""), "name"));
  }

  @Test
  void handle_persistenceFails_unavailableAndStoreUnchanged() {
    StatePersistence broken = state -> {
      throw new IOException("disk full");
    };
    DataplaneStore failing = new DataplaneStore(DataplaneState.EMPTY, broken);
    RestApi failingApi = new RestApi(failing, s -> Map.of(), Map::of);

    RestResponse r = failingApi.handle("POST", CREATE, bytes(EXTERNAL));

    assertThat(r.status()).isEqualTo(503);
    JsonNode n = tree(r);
    assertThat(n.get("result").asBoolean(true)).isFalse();
    assertThat(n.get("details").asText()).contains("disk full");
    assertThat(failing.current()).isSameAs(DataplaneState.EMPTY);
  }

  @Test
  void handle_queryStringOnCreate_ignored() {
    RestResponse r = api.handle("POST", CREATE + "?pretty=1", bytes(EXTERNAL));

    assertThat(r.status()).isEqualTo(200);
    assertThat(store.current().vservices()).containsOnlyKeys("external");
  }
}
